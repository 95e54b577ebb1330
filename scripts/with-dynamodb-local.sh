#!/usr/bin/env bash
# Runs a command against Amazon's own DynamoDB Local instead of dynalite (which differs from
# DynamoDB where it matters here: item-size errors, TTL, transactions, ReturnValuesOnCondition…):
#
#   bash scripts/with-dynamodb-local.sh npx vitest run test/integration test/e2e
#
# DynamoDB Local is the DynamoDBLocal.jar that the npm package amplify-dynamodb-simulator ships:
# fetched once with `npm pack` into .cache/dynamodb-local (the tarball only, none of its
# dependencies), and run in memory with Java (Debian's, installed when the machine lacks it). The
# command sees DYNAMODB_ENDPOINT; every test provisions its own tables there and removes them.
set -euo pipefail
cd "$(dirname "$0")/.."

version=2.9.30
dir=.cache/dynamodb-local
jar="$dir/package/emulator/DynamoDBLocal.jar"
if [ ! -f "$jar" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm pack "amplify-dynamodb-simulator@$version" --silent >/dev/null && tar xzf "amplify-dynamodb-simulator-$version.tgz" && rm -f "amplify-dynamodb-simulator-$version.tgz")
fi
if ! command -v java >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
fi

port=${DYNAMODB_LOCAL_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
java -Djava.library.path="$dir/package/emulator/DynamoDBLocal_lib" -jar "$jar" -inMemory -sharedDb -port "$port" >"$dir/dynamodb-local.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
# Ready when it answers on its port (the JVM takes a few seconds to start).
node -e '
  const net = require("net"); const port = Number(process.argv[1]); const until = Date.now() + 60000;
  (function attempt() {
    const socket = net.connect(port, "127.0.0.1", () => { socket.end(); process.exit(0); });
    socket.on("error", () => { if (Date.now() > until) { console.error("DynamoDB Local did not start; see .cache/dynamodb-local/dynamodb-local.log"); process.exit(1); } setTimeout(attempt, 250); });
  })();' "$port"
echo "DynamoDB Local $version on 127.0.0.1:$port"
DYNAMODB_ENDPOINT="http://127.0.0.1:$port" "$@"
