#!/bin/bash
# bench/run.sh [--size 1G] [--runs 3] [--trawl PATH] [--only all|trawl|peers|quick|ndpi|extract] [--slice N] [--timeout S]
#              [--host ADDR]
#
# Measures trawl against its peers on one generated capture, side by side in one run (issues 2 and 3,
# "Performance"). Each command runs --runs times on a warm page cache; the table shows the median wall
# time, the median CPU time (user + system, all threads), the largest peak RSS (GNU time), MB/s over the
# capture size, and the ratio peer time / trawl time for the same job, each checked against its target.
#
#   --size S     capture size for make-bench-pcap.sh (1G, 100M, ...); default 1G. The capture is built
#                once into bench/data/bench-S.pcap and reused.
#   --runs N     runs per command (median of N); default 3.
#   --trawl P    trawl binary; default build-bench/trawl, then build/trawl, then trawl on PATH.
#   --only W     all (default); trawl (no peers); peers (no trawl); quick (trawl and ndpiReader, the
#                fast peer: skips tcpdump, tshark and scapy); ndpi (ndpiReader only); extract (trawl extract
#                and tshark -Y -w only).
#   --slice N    packets in the slice used for the scapy peer; default 20000.
#   --timeout S  give up on one command run after S seconds; default 1800.
#   --host A     the address of the extraction rows (-Y 'ip.addr==A'); default 212.199.202.9, a host of
#                ppp-many-protocols.pcap, which make-bench-pcap.sh puts in every round (see .inputs.tsv).
#
# Writes the table to stdout, bench/data/results.md and bench/data/results-S.md; command logs go to
# bench/data/logs/. Peers need no root and nothing touches the network.
set -uo pipefail
export LC_ALL=C
{ # The whole script is one block, so bash has read all of it before running: editing run.sh while a
  # long benchmark runs cannot change what that run does.

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
data=$here/data
maker=${MAKE_BENCH_PCAP:-$repo/../shared/bench/make-bench-pcap.sh}

args="$*"
size=1G runs=3 trawl="" only=all slice_pkts=20000 limit=1800 host=212.199.202.9
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=${2:?}; shift 2 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --trawl) trawl=${2:?}; shift 2 ;;
    --only) only=${2:?}; shift 2 ;;
    --slice) slice_pkts=${2:?}; shift 2 ;;
    --timeout) limit=${2:?}; shift 2 ;;
    --host) host=${2:?}; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
case "$runs" in ''|*[!0-9]*|0) echo "run.sh: --runs must be a positive integer" >&2; exit 2 ;; esac
case "$slice_pkts" in ''|*[!0-9]*|0) echo "run.sh: --slice must be a positive integer" >&2; exit 2 ;; esac
case "$only" in all|trawl|peers|quick|ndpi|extract) ;; *) echo "run.sh: --only must be all, trawl, peers, quick, ndpi or extract" >&2; exit 2 ;; esac
# What runs: the slow peers (tcpdump, tshark, scapy), ndpiReader, trawl.
want_slow=0 want_ndpi=0 want_trawl=0 want_extract=0
case "$only" in
  all) want_slow=1 want_ndpi=1 want_trawl=1 want_extract=1 ;;
  extract) want_extract=1 ;;
  trawl) want_trawl=1 ;;
  peers) want_slow=1 want_ndpi=1 ;;
  quick) want_ndpi=1 want_trawl=1 ;;
  ndpi) want_ndpi=1 ;;
esac
case "$size" in *[0-9][KkMmGg]|*[0-9]) ;; *) echo "run.sh: bad --size '$size' (1G, 100M, ...)" >&2; exit 2 ;; esac

log() { echo "run.sh: $*" >&2; }
need() { command -v "$1" >/dev/null || { log "$1 not found ($2)"; exit 1; }; }
need /usr/bin/time "apt-get install time"
need editcap "apt-get install tshark"
need capinfos "apt-get install tshark"
if [ "$want_slow" = 1 ] || [ "$want_extract" = 1 ]; then
  need tshark "apt-get install tshark"
  need tcpdump "apt-get install tcpdump"
fi
# Debian's python3 with python3-scapy: a pyenv or virtualenv python3 on PATH usually lacks scapy.
python=/usr/bin/python3
have_scapy=0
if [ "$want_slow" = 1 ] && "$python" -c 'import scapy.all' 2>/dev/null; then have_scapy=1; fi
[ "$want_slow" = 0 ] || [ "$have_scapy" = 1 ] || log "scapy not importable by $python (apt-get install python3-scapy): skipping the scapy peer"

if [ -z "$trawl" ]; then
  for c in "$repo/build-bench/trawl" "$repo/build/trawl" "$(command -v trawl 2>/dev/null)"; do
    if [ -n "$c" ] && [ -x "$c" ]; then trawl=$c; break; fi
  done
fi
# ndpiReader (Debian libndpi-bin), the protocol-identification peer of trawl analyze (issue 3).
have_ndpi=0
if [ "$want_ndpi" = 1 ]; then
  if command -v ndpiReader >/dev/null; then have_ndpi=1
  else log "ndpiReader not found (apt-get install libndpi-bin): skipping the ndpiReader peer"; fi
fi

run_trawl=0
if [ "$want_trawl" = 1 ] || [ "$want_extract" = 1 ]; then
  if [ -n "$trawl" ] && [ -x "$trawl" ]; then run_trawl=1
  else log "no trawl binary (build it: ninja -C build-bench trawl, or pass --trawl): skipping trawl"; fi
fi

mkdir -p "$data/logs"

# --- the capture -----------------------------------------------------------------------------------
capture=$data/bench-$size.pcap
if [ -s "$capture" ]; then
  log "reusing $capture"
else
  [ -x "$maker" ] || { log "cannot find make-bench-pcap.sh at $maker (set MAKE_BENCH_PCAP)"; exit 1; }
  log "building $capture with $(basename "$maker") (1G takes a few minutes)"
  start=$(date +%s)
  # Built under a temporary name so an interrupted build is never mistaken for a finished capture.
  if ! "$maker" "$capture.part" "$size" 2> "$data/logs/make-bench-pcap-$size.log"; then
    log "make-bench-pcap.sh failed:"; tail -5 "$data/logs/make-bench-pcap-$size.log" >&2
    rm -f "$capture.part" "$capture.part.inputs.tsv"; exit 1
  fi
  mv "$capture.part.inputs.tsv" "$capture.inputs.tsv"
  mv "$capture.part" "$capture"
  log "built in $(( $(date +%s) - start )) s: $(tail -1 "$data/logs/make-bench-pcap-$size.log")"
fi
bytes=$(stat -L -c %s "$capture")
count_file() {  # packet count, cached beside the file (capinfos reads all of it)
  local f=$1
  if [ ! -s "$f.packets" ] || [ "$f.packets" -ot "$f" ]; then
    capinfos -T -m -r -c "$f" | cut -d, -f2 > "$f.packets"
  fi
  cat "$f.packets"
}
packets=$(count_file "$capture")

slice=$data/bench-$size.slice$slice_pkts.pcap
if [ ! -s "$slice" ] || [ "$slice" -ot "$capture" ]; then
  editcap -F pcap -r "$capture" "$slice.part" "1-$slice_pkts" && mv "$slice.part" "$slice"
fi
slice_bytes=$(stat -L -c %s "$slice")
slice_packets=$(count_file "$slice")

# Warm the page cache so every command, first run included, reads from memory, not the disk.
cat "$capture" "$slice" > /dev/null

# --- measuring -------------------------------------------------------------------------------------
# measure KEY FILE_BYTES CMD...: runs CMD $runs times with stdout to /dev/null; sets R_TIME[KEY] (median
# s), R_RSS[KEY] (max KiB) or R_FAIL[KEY] (a reason). Stops at the first failing run; skips a KEY that
# already failed its check.
declare -A R_TIME R_CPU R_RSS R_FAIL R_BYTES R_LOG
before_run() { :; }   # redefined around a command that needs a clean slate before each run
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

measure() {
  local key=$1 fbytes=$2; shift 2
  local tf="$data/logs/$key.time" err="$data/logs/$key.stderr" times="" cpus="" rss=0 i rc t m u sy t0 t1
  R_BYTES[$key]=$fbytes
  [ -z "${R_FAIL[$key]:-}" ] || { log "$key: skipped (${R_FAIL[$key]})"; return 1; }
  log "$key: $*"
  for ((i = 1; i <= runs; i++)); do
    before_run
    t0=$(date +%s%N)
    /usr/bin/time -f '%e %M %U %S' -o "$tf" timeout "$limit" "$@" > /dev/null 2> "$err"
    rc=$?
    t1=$(date +%s%N)
    if [ "$rc" -ne 0 ]; then
      if [ "$rc" -eq 124 ]; then R_FAIL[$key]="timed out after $limit s"
      else R_FAIL[$key]="exit code $rc"; fi
      R_LOG[$key]=$err
      log "  run $i FAILED (${R_FAIL[$key]}); last lines of $err:"
      tail -5 "$err" | sed 's/^/    /' >&2
      return 1
    fi
    # Wall time from the ns clock (GNU time's %e has only 2 decimals); peak RSS and CPU time (user + system,
    # all threads) from GNU time.
    read -r _ m u sy < <(tail -1 "$tf")
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    log "  run $i/$runs: $t s, peak RSS $((m / 1024)) MiB"
    times+="$t"$'\n'; [ "$m" -gt "$rss" ] && rss=$m
    cpus+=$(awk -v u="$u" -v s="$sy" 'BEGIN { printf "%.2f", u + s }')$'\n'
  done
  R_TIME[$key]=$(printf '%s' "$times" | median)
  R_CPU[$key]=$(printf '%s' "$cpus" | median)
  R_RSS[$key]=$rss
}

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/trawl-bench.XXXXXX")
trap 'rm -rf "$tmpdir"' EXIT

tshark_fields=(-e frame.time_epoch -e ip.src -e ip.dst -e tcp.srcport -e udp.srcport -e tcp.dstport
               -e udp.dstport -e ip.proto -e frame.len)
if [ "$want_slow" = 1 ]; then
  measure tcpdump "$bytes" tcpdump -n -r "$capture" -w /dev/null
  measure tshark_conv "$bytes" tshark -n -q -r "$capture" -z conv,ip
  measure tshark_fields "$bytes" tshark -n -r "$capture" -T fields -E separator=, "${tshark_fields[@]}"
  [ "$have_scapy" = 1 ] && measure scapy_slice "$slice_bytes" "$python" "$here/scapy_flow.py" "$slice"
fi
if [ "$want_extract" = 1 ]; then  # packet extraction (issue 5): the article's `tshark -r in -Y ... -w out`
  measure tshark_extract_ip "$bytes" tshark -n -r "$capture" -Y "ip.addr==$host" -w "$tmpdir/tshark-extract.pcap"
  measure tshark_extract_uri "$bytes" tshark -n -r "$capture" -Y 'http.request.uri contains "search"' -w "$tmpdir/tshark-extract.pcap"
fi
# ndpiReader -i FILE -q reads the whole file with pcap_loop in one worker thread (-n is ignored for pcap
# files; its main thread only waits) and, with -q, prints nothing and writes no file: DPI on each flow's
# first packets (up to 80 TCP / 24 UDP), guessing at the end. See bench/ndpi_eval/README.md.
[ "$have_ndpi" = 1 ] && measure ndpireader "$bytes" ndpiReader -i "$capture" -q
# Before timing trawl, check on the slice that each command does its job at all (exit 0 and some
# output), so a stub or broken build shows as "failed" rather than as an impossible speed.
check() {  # check KEY WHAT CMD...: CMD's stdout must be non-empty (WHAT names it in the message)
  local key=$1 what=$2; shift 2
  local out="$data/logs/$key.check" rc
  timeout "$limit" "$@" > "$out" 2> "$out.stderr"; rc=$?
  if [ "$rc" -ne 0 ]; then R_FAIL[$key]="check on the slice: exit code $rc"
  elif [ ! -s "$out" ]; then R_FAIL[$key]="check on the slice: $what is empty"
  else return 0; fi
  R_LOG[$key]=$out.stderr
  log "$key: ${R_FAIL[$key]}; see $out.stderr"; tail -3 "$out.stderr" | sed 's/^/    /' >&2
  return 1
}
if [ "$run_trawl" = 1 ]; then
  check trawl_top "the output of trawl top" "$trawl" top "$slice" --quiet
  check trawl_packets "the output of trawl packets --format csv" "$trawl" packets "$slice" --format csv --quiet
  check trawl_packets_slice "the output of trawl packets --format text" "$trawl" packets "$slice" --format text --quiet
  rm -rf "$tmpdir/check" && mkdir -p "$tmpdir/check" &&
    check trawl_analyze "summary.txt" bash -c '"$1" analyze "$2" -o "$3" --quiet >/dev/null && cat "$3/summary.txt"' _ \
      "$trawl" "$slice" "$tmpdir/check"
  check trawl_extract_ip "the pcap of trawl extract" "$trawl" extract "$slice" -Y "ip.addr==$host" -w - --quiet
  check trawl_extract_uri "the pcap of trawl extract -Y http.request.uri" "$trawl" extract "$slice" \
    -Y 'http.request.uri contains "search"' -w - --quiet
fi
if [ "$run_trawl" = 1 ] && [ "$want_trawl" = 1 ]; then
  measure trawl_top "$bytes" "$trawl" top "$capture" --quiet
  measure trawl_packets "$bytes" "$trawl" packets "$capture" --format csv --quiet
  # analyze writes a directory: emptied before each run (untimed) so no run finds an earlier one's output.
  before_run() { rm -rf "$tmpdir/analyze"; mkdir -p "$tmpdir/analyze"; }
  measure trawl_analyze_nodetect "$bytes" "$trawl" analyze "$capture" -o "$tmpdir/analyze" --quiet --no-detect
  measure trawl_analyze "$bytes" "$trawl" analyze "$capture" -o "$tmpdir/analyze" --quiet
  before_run() { :; }
  # the detectors alone, over the records the last analyze run left (issue 4: "takes seconds").
  measure trawl_detect "$bytes" "$trawl" detect "$tmpdir/analyze" --quiet
  measure trawl_packets_slice "$slice_bytes" "$trawl" packets "$slice" --format text --quiet
fi
if [ "$run_trawl" = 1 ] && [ "$want_extract" = 1 ]; then
  if [ ! -s "$tmpdir/analyze/alerts.jsonl" ]; then  # the findings to extract from (untimed)
    rm -rf "$tmpdir/analyze" && "$trawl" analyze "$capture" -o "$tmpdir/analyze" --quiet >/dev/null
  fi
  measure trawl_extract_ip "$bytes" "$trawl" extract "$capture" -Y "ip.addr==$host" -w "$tmpdir/extract.pcap" --quiet
  measure trawl_extract_uri "$bytes" "$trawl" extract "$capture" -Y 'http.request.uri contains "search"' -w "$tmpdir/extract.pcap" --quiet
  # One finding's evidence from the last analyze directory, through its frame index: the last alert in
  # time, whose frames lie deepest in the capture.
  alert_type=$(tail -1 "$tmpdir/analyze/alerts.jsonl" 2>/dev/null | sed -n 's/^{"type":"\([^"]*\)".*/\1/p')
  alert_index=$(( $(grep -c "^{\"type\":\"$alert_type\"" "$tmpdir/analyze/alerts.jsonl" 2>/dev/null || echo 1) - 1 ))
  if [ -n "$alert_type" ]; then
    measure trawl_extract_alert "$bytes" "$trawl" extract --alerts "$tmpdir/analyze" --alert "$alert_type/$alert_index" \
      -w "$tmpdir/alert.pcap" --quiet
  else
    R_FAIL[trawl_extract_alert]="no alert in the analyze directory"
  fi
  # One connection by its uid (the last record of conn.jsonl): its record found, then its frames by the index.
  uid=$(tail -1 "$tmpdir/analyze/conn.jsonl" 2>/dev/null | sed -n 's/.*"uid":"\([^"]*\)".*/\1/p')
  if [ -n "$uid" ]; then
    measure trawl_extract_uid "$bytes" "$trawl" extract "$tmpdir/analyze" --uid "$uid" -w "$tmpdir/uid.pcap" --quiet
  else
    R_FAIL[trawl_extract_uid]="no conn record in the analyze directory"
  fi
fi

# --- the table -------------------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
ver() { local v; v=$("$@" 2>/dev/null | head -1); v=${v%.}; echo "${v:-$1 (no version)}"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }

# row KEY "command" [TRAWL_KEY TARGET_RATIO]...: one line of the table; for each TRAWL_KEY, the ratio
# KEY time / TRAWL_KEY time, checked against TARGET_RATIO unless it is "-".
row() {
  local key=$1 label=$2 t rss rate ratios="" vs target r
  shift 2
  if [ -n "${R_FAIL[$key]:-}" ]; then
    printf '| `%s` | failed: %s | | | | |\n' "$label" "${R_FAIL[$key]}"; return
  fi
  [ -n "${R_TIME[$key]:-}" ] || return 0
  t=${R_TIME[$key]}
  rss=$(awk -v k="${R_RSS[$key]}" 'BEGIN { printf "%.0f", k * 1024 / 1e6 }')
  rate=$(awk -v b="${R_BYTES[$key]}" -v t="$t" 'BEGIN { if (t > 0) printf "%.0f", b / 1e6 / t; else print "n/a" }')
  while [ $# -ge 2 ]; do
    vs=$1 target=$2; shift 2
    [ -n "${R_TIME[$vs]:-}" ] || continue
    r=$(awk -v a="$t" -v b="${R_TIME[$vs]}" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a (trawl 0 s)" }')
    r+=" vs ${vs#trawl_}"
    if [ "$target" != - ]; then
      if awk -v a="$t" -v b="${R_TIME[$vs]}" -v g="$target" 'BEGIN { exit !(b > 0 && a / b >= g) }'; then
        r+=" (target ${target}x: met)"
      else r+=" (target ${target}x: NOT met)"; fi
    fi
    ratios+="${ratios:+; }$r"
  done
  printf '| `%s` | %s | %s | %s | %s | %s |\n' "$label" "$t" "${R_CPU[$key]}" "$rate" "$rss" "$ratios"
}

f=$(basename "$capture") s=$(basename "$slice")
{
  echo "## trawl benchmark, $(date -u +%Y-%m-%d)"
  echo
  echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/^MemTotal/ { printf "%.0f GB RAM", $2 / 1e6 }' /proc/meminfo), $(uname -sr)"
  echo "- capture \`$f\`: $bytes bytes ($(mb "$bytes") MB), $packets packets, made by make-bench-pcap.sh $size"
  echo "- slice \`$s\` (first $slice_packets packets): $slice_bytes bytes ($(mb "$slice_bytes") MB)"
  echo "- median of $runs run(s), warm page cache; MB = 10^6 bytes; peak RSS is the largest of the runs"
  versions=()
  [ "$want_slow" = 1 ] && versions+=("$(ver tshark --version)" "$(ver tcpdump --version)")
  [ "$have_ndpi" = 1 ] && versions+=("$(ndpiReader -h 2>&1 | sed -n 's/^Welcome to //p' | head -1) (ndpiReader)")
  [ "$have_scapy" = 1 ] && versions+=("scapy $("$python" -c 'import scapy; print(scapy.__version__)' 2>/dev/null)")
  [ "$run_trawl" = 1 ] && versions+=("$(ver "$trawl" --version) ($trawl)")
  (IFS=';'; echo "- versions: ${versions[*]:-}" | sed 's/;/; /g')
  echo
  echo "| command | median s | CPU s | MB/s | peak RSS MB | peer time / trawl time |"
  echo "|---|---:|---:|---:|---:|---|"
  row tcpdump "tcpdump -r $f -w /dev/null (floor: read only)" trawl_top -
  row tshark_conv "tshark -n -q -r $f -z conv,ip" trawl_top 30 trawl_analyze 10
  row trawl_top "trawl top $f --quiet"
  row tshark_fields "tshark -n -r $f -T fields -E separator=, -e frame.time_epoch ... -e frame.len" trawl_packets 30
  row trawl_packets "trawl packets $f --format csv --quiet"
  row ndpireader "ndpiReader -i $f -q" trawl_analyze 3
  row trawl_analyze "trawl analyze $f -o DIR --quiet"
  row trawl_analyze_nodetect "trawl analyze $f -o DIR --quiet --no-detect"
  row trawl_detect "trawl detect DIR --quiet (the records of that analyze)"
  row scapy_slice "scapy_flow.py $s (the article's method)" trawl_packets_slice -
  row trawl_packets_slice "trawl packets $s --format text --quiet"
  row tshark_extract_ip "tshark -n -r $f -Y 'ip.addr==$host' -w OUT" trawl_extract_ip 20
  row trawl_extract_ip "trawl extract $f -Y 'ip.addr==$host' -w OUT --quiet"
  row tshark_extract_uri "tshark -n -r $f -Y 'http.request.uri contains \"search\"' -w OUT" trawl_extract_uri 10
  row trawl_extract_uri "trawl extract $f -Y 'http.request.uri contains \"search\"' -w OUT --quiet"
  row trawl_extract_alert "trawl extract --alerts DIR --alert ${alert_type:-TYPE}/${alert_index:-0} -w OUT (one finding, via the frame index)"
  row trawl_extract_uid "trawl extract DIR --uid ${uid:-UID} -w OUT (one connection, via conn.jsonl and the frame index)"
  echo
  if [ -n "${R_TIME[scapy_slice]:-}" ]; then
    # scapy's cost is mostly per packet, so project by packets as well as by bytes (the slice's packets
    # need not have the whole file's average size).
    awk -v t="${R_TIME[scapy_slice]}" -v sb="$slice_bytes" -v sp="$slice_packets" -v b="$bytes" -v p="$packets" 'BEGIN {
      rate = sb / t; by_bytes = b / rate; by_packets = p / (sp / t)
      printf "- scapy (the article'"'"'s script): %.2f MB/s, %.0f packets/s; the whole %.0f MB capture would take about %.0f s (%.1f min) by bytes, %.0f s (%.1f min) by packets\n",
        rate / 1e6, sp / t, b / 1e6, by_bytes, by_bytes / 60, by_packets, by_packets / 60 }'
  fi
  if [ -n "${R_TIME[trawl_analyze]:-}" ]; then
    awk -v k="${R_RSS[trawl_analyze]}" 'BEGIN { m = k * 1024 / 1e6
      printf "- trawl analyze peak RSS: %.0f MB (target < 300 MB: %s)\n", m, (m < 300 ? "met" : "NOT met") }'
  fi
  if [ -n "${R_TIME[trawl_analyze]:-}" ] && [ -n "${R_TIME[trawl_analyze_nodetect]:-}" ]; then
    awk -v a="${R_TIME[trawl_analyze]}" -v n="${R_TIME[trawl_analyze_nodetect]}" 'BEGIN { d = (a - n) / n * 100
      printf "- detection adds %.0f%% to trawl analyze (target at most 10%%: %s)\n", d, (d <= 10 ? "met" : "NOT met") }'
  fi
  if [ -n "${R_CPU[trawl_analyze]:-}" ] && [ -n "${R_CPU[trawl_analyze_nodetect]:-}" ]; then
    awk -v a="${R_CPU[trawl_analyze]}" -v n="${R_CPU[trawl_analyze_nodetect]}" 'BEGIN {
      printf "- in CPU time (the detectors run on their own thread while the capture is read) it adds %.0f%%\n", (a - n) / n * 100 }'
  fi
  if [ -n "${R_TIME[trawl_extract_alert]:-}" ]; then
    awk -v t="${R_TIME[trawl_extract_alert]}" 'BEGIN {
      printf "- one finding'"'"'s evidence from an analyze directory: %.3f s (target under 1 s: %s)\n", t, (t < 1 ? "met" : "NOT met") }'
  fi
  for k in trawl_top trawl_packets trawl_analyze; do
    [ -n "${R_FAIL[$k]:-}" ] && echo "- $k failed (${R_FAIL[$k]}); see bench/data/logs/$(basename "${R_LOG[$k]:-$k.stderr}")"
  done
  [ "$want_trawl" = 1 ] && [ "$run_trawl" = 0 ] && echo "- trawl not measured: no binary (build with ninja -C build-bench trawl)"
  echo
  echo "command: \`bench/run.sh${args:+ $args}\`"
} > "$tmpdir/results.md"

cat "$tmpdir/results.md"
cp "$tmpdir/results.md" "$data/results-$size.md"
cp "$tmpdir/results.md" "$data/results.md"
log "wrote $data/results.md"
exit 0
}
