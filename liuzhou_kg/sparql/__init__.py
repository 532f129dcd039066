"""Running SPARQL on the store: the query policy, prefixes, formats, time, memory and result limits.

Every query passes the one policy (:mod:`.policy`, decided by a SPARQL parser) and the one query
step (:mod:`.execute`). The endpoint and the library run it in sandboxed worker processes
(:mod:`.workers`: no network, a memory limit, killed at the time limit); a CLI command runs it in
its own process, which is ended at the time limit (:mod:`.runner`).
"""
