#!/usr/bin/env bash
# ensure-postgres.sh URL — make sure the PostgreSQL server that URL names accepts
# connections, starting the local cluster when it is on this machine and stopped, and
# creating the URL's database when it does not exist yet.
set -euo pipefail
url=${1:?usage: ensure-postgres.sh postgres://USER@HOST:PORT/DB}
rest=${url#*://}
hostport=${rest#*@}; hostport=${hostport%%/*}
host=${hostport%%:*}
port=5432; [[ $hostport == *:* ]] && port=${hostport##*:}
user=postgres; [[ $rest == *@* ]] && user=${rest%%@*} && user=${user%%:*}
dbname=${rest#*/}; dbname=${dbname%%\?*}

ready() { pg_isready -q -h "$host" -p "$port" >/dev/null 2>&1; }

if ! command -v pg_isready >/dev/null 2>&1; then
	echo "ensure-postgres: pg_isready not found: install PostgreSQL (apt-get install -y postgresql)," >&2
	echo "  or run the tests without PostgreSQL: make test ZHANXIN_TEST_POSTGRES=" >&2
	exit 1
fi
if ! ready; then
	case $host in
	127.0.0.1 | localhost | ::1 | "") ;;
	*) echo "ensure-postgres: $host:$port does not accept connections" >&2; exit 1 ;;
	esac
	if [ ! -d /etc/postgresql ] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
		echo "ensure-postgres: no local PostgreSQL cluster to start; set ZHANXIN_TEST_POSTGRES to a running server," >&2
		echo "  or run the tests without PostgreSQL: make test ZHANXIN_TEST_POSTGRES=" >&2
		exit 1
	fi
	version=$(ls /etc/postgresql | sort -V | tail -n1)
	echo "ensure-postgres: starting PostgreSQL $version"
	pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
	for _ in $(seq 1 60); do ready && break; sleep 0.5; done
	if ! ready; then
		echo "ensure-postgres: PostgreSQL $version did not start; see /var/log/postgresql/" >&2
		exit 1
	fi
fi
# The database itself (a fresh cluster has only postgres and template*).
if [ -n "$dbname" ] && command -v psql >/dev/null 2>&1; then
	if ! psql -h "$host" -p "$port" -U "$user" -d "$dbname" -Atqc 'SELECT 1' >/dev/null 2>&1; then
		echo "ensure-postgres: creating database $dbname"
		psql -h "$host" -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE \"$dbname\"" >/dev/null
	fi
fi
echo "ensure-postgres: $host:$port/$dbname is ready"
