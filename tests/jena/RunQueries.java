// Run SPARQL query files in Apache Jena ARQ, all in one JVM, exactly as they are written.
//
// usage: jena tests/jena/RunQueries.java DATA.trig OUT_DIR QUERY.rq...
//
// Each query is parsed as strict SPARQL 1.1 (no ARQ extensions and no predeclared prefixes) and
// run on the dataset of DATA: its named graphs, and a default graph that is the union of them, as
// liuzhou-kg's endpoint answers (a query holding the line "# default graph: separate" gets the
// file's own default graph instead). For the N-th query, OUT_DIR/N.srj (SELECT, ASK: SPARQL JSON
// results), OUT_DIR/N.nt (CONSTRUCT, DESCRIBE: N-Triples) or OUT_DIR/N.err (the parse or
// evaluation error) is written.
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.jena.graph.Graph;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.DatasetFactory;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.query.Syntax;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.sparql.core.DatasetGraph;
import org.apache.jena.sparql.core.DatasetGraphFactory;

public class RunQueries {
    public static void main(String[] args) throws Exception {
        DatasetGraph loaded = RDFDataMgr.loadDatasetGraph(args[0]);
        DatasetGraph union = DatasetGraphFactory.createGeneral();
        Graph unionDefault = union.getDefaultGraph();
        // A triple stated in several graphs is in the union once (a graph is a set).
        loaded.find().forEachRemaining(quad -> {
            if (!quad.isDefaultGraph()) unionDefault.add(quad.asTriple());
        });
        loaded.listGraphNodes().forEachRemaining(name -> union.addGraph(name, loaded.getGraph(name)));
        Dataset unionDataset = DatasetFactory.wrap(union);
        Dataset separateDataset = DatasetFactory.wrap(loaded);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        for (int i = 2; i < args.length; i++) {
            int n = i - 2;
            String text = Files.readString(Path.of(args[i]), StandardCharsets.UTF_8);
            Dataset dataset = text.contains("# default graph: separate") ? separateDataset : unionDataset;
            try {
                Query query = QueryFactory.create(text, Syntax.syntaxSPARQL_11);
                try (QueryExecution exec = QueryExecutionFactory.create(query, dataset)) {
                    if (query.isSelectType()) {
                        try (OutputStream stream = Files.newOutputStream(out.resolve(n + ".srj"))) {
                            ResultSetFormatter.outputAsJSON(stream, exec.execSelect());
                        }
                    } else if (query.isAskType()) {
                        try (OutputStream stream = Files.newOutputStream(out.resolve(n + ".srj"))) {
                            ResultSetFormatter.outputAsJSON(stream, exec.execAsk());
                        }
                    } else {
                        var model = query.isConstructType() ? exec.execConstruct() : exec.execDescribe();
                        try (OutputStream stream = Files.newOutputStream(out.resolve(n + ".nt"))) {
                            RDFDataMgr.write(stream, model, Lang.NTRIPLES);
                        }
                    }
                }
            } catch (Exception err) {
                Files.writeString(out.resolve(n + ".err"), String.valueOf(err.getMessage()),
                                  StandardCharsets.UTF_8);
            }
        }
    }
}
