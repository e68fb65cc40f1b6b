#!/usr/bin/env bash
# Makes sure PostgreSQL answers where DATABASE_URL points. When nothing
# answers on a local address it starts the machine's own cluster for that
# port if there is one, else a private cluster under .data/postgres, using
# the installed server binaries; without them it says what to install.
# DEALFLOW_PG_DATA names another private cluster directory and
# DEALFLOW_PG_OPTIONS adds server settings ("-c shared_buffers=2GB"); the
# benchmarks use both (scripts/bench.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dealflow?sslmode=disable}"
hostport=$(printf '%s' "$url" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]*).*#\2#')
host=${hostport%:*}
port=${hostport##*:}
[ "$port" = "$hostport" ] && port=5432
[ -n "$host" ] || host=127.0.0.1

answers() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }
wait_ready() {
  for _ in $(seq 1 60); do answers && return 0; sleep 0.5; done
  echo "dealflow: PostgreSQL did not start on $host:$port; see $1" >&2
  exit 1
}

answers && exit 0
case "$host" in
  127.0.0.1|localhost|::1) ;;
  *) echo "dealflow: nothing answers at $host:$port (DATABASE_URL); start PostgreSQL there or point DATABASE_URL elsewhere" >&2; exit 1 ;;
esac

# The machine's own cluster on that port (Debian's pg_ctlcluster), if stopped.
if [ -z "${DEALFLOW_PG_DATA:-}" ] && command -v pg_lsclusters >/dev/null 2>&1; then
  cluster=$(pg_lsclusters --no-header 2>/dev/null | awk -v p="$port" '$3 == p { print $1, $2; exit }')
  if [ -n "$cluster" ]; then
    echo "starting PostgreSQL cluster $cluster on port $port" >&2
    # shellcheck disable=SC2086
    pg_ctlcluster --skip-systemctl-redirect $cluster start || true
    wait_ready "pg_lsclusters"
    exit 0
  fi
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then bindir=$(dirname "$(command -v initdb)"); fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "dealflow: nothing answers at $host:$port and PostgreSQL's server is not installed: install it (apt-get install postgresql) or set DATABASE_URL" >&2
  exit 1
fi

data="$PWD/${DEALFLOW_PG_DATA:-.data/postgres}"
mkdir -p "$PWD/.data" "$(dirname "$data")"
as_owner=()
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  as_owner=(runuser -u postgres --)
  chmod o+x "$PWD" "$PWD/.data" 2>/dev/null || true
fi
if [ ! -f "$data/PG_VERSION" ]; then
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres "$data"
  "${as_owner[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 >/dev/null
fi
echo "starting a private PostgreSQL on $host:$port (data in ${data#"$PWD"/})" >&2
"${as_owner[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
  -o "-p $port -c listen_addresses=127.0.0.1 -k /tmp ${DEALFLOW_PG_OPTIONS:-}" start >/dev/null
wait_ready "$data/server.log"
