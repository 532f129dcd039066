"""Running SPARQL on the store: the query policy, prefixes, formats, time, memory and result limits.

Every query passes the one policy (:mod:`.policy`: the size caps and word screen of
:mod:`.screen`, then a SPARQL parser, :mod:`.analysis`) and the one query step (:mod:`.execute`),
on a large stack (:mod:`.large_stack`). The endpoint and the library run it in sandboxed worker
processes (:mod:`.workers`, :mod:`.worker`, :mod:`.sandbox`: no network, a memory limit, killed at
the time limit); a CLI command runs it in its own process, which is ended at the time limit
(:mod:`.runner`).
"""
