// The usage text of `freshet --help`, apart from the CLI so that the process entry can answer --help and
// --version without loading the engine (which takes about a CPU-second).
export const USAGE = `Usage: freshet [options]
       freshet jobmanager [options]     start a standalone cluster's JobManager (--help for its options)
       freshet taskmanager [options]    start a TaskManager that joins it

Freshet: streaming SQL in Flink's semantics, for TypeScript and Node.js.
With no script, starts the interactive SQL shell.

Options:
  -f, --file <path>        run the SQL statements in a file (may be repeated)
  -e, --execute <sql>      run the given SQL statements (may be repeated)
      --format <fmt>       query output in script mode: tableau (default), csv, json
      --changelog          print every change with an 'op' column (+I -U +U -D)
                           instead of the final result table
      --max-rows <n>       stop each query after n rows (n changes under --changelog)
                           and print those
      --timeout <seconds>  stop each query after this long and print what it produced
                           (for unbounded sources; exits 0)
      --rest-port <port>   serve the REST API and dashboard while the scripts run
                           (0 = any free port; the interactive shell always does)
      --cluster <host:port>  run the jobs on a standalone cluster (the JobManager's REST address)
      --token <secret>     the cluster's shared token (default: $FRESHET_CLUSTER_TOKEN)
  -i, --init <path>        run the statements of a file first, before the prompt or the
                           script, without printing their results (may be repeated)
      --syntax             only check the syntax of the scripts: print every error,
                           run nothing (exit 1 if there is one)
      --check              check syntax, then validate every statement against the catalog
                           the scripts' own DDL builds (names, types, options); run no query
  -h, --help               show this help
  -v, --version            print the version

SQL on standard input is run as a script when no -f/-e is given and stdin is not a terminal.
Exit codes: 0 success, 1 SQL or job error, 2 usage error, 130 interrupted.`;
