#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 120) and prints executions and findings.
#   fuzz/run.sh [SECONDS] [TARGET...]      targets: detect delimited json text tfevents mlflow fit
# Builds first (fuzz/build.sh). Corpora live in .build-fuzz/corpus/<target>/, seeded from
# fixtures/ (each seed prefixed with the byte that selects its reader); findings (crash-*,
# timeout-*, oom-*) land in .build-fuzz/findings/<target>/. Reproduce one with
#   SCALEFIT_FUZZ_GROUP=<group> .build-fuzz/fuzz-ingest <file>   (or .build-fuzz/fuzz-fit <file>)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-120}
shift || true
TARGETS=${*:-detect delimited json text tfevents mlflow fit}
B=.build-fuzz
[ -n "${SCALEFIT_FUZZ_SKIP_BUILD:-}" ] || ./fuzz/build.sh 2>&1 | grep -v "Cannot export local symbol" || true

# seed TARGET SELECTOR FILE...: copies each file into the corpus behind one selector byte.
seed() {
    local target=$1 selector=$2; shift 2
    mkdir -p "$B/corpus/$target"
    for file in "$@"; do
        [ -f "$file" ] || continue
        local name; name=$(echo "$file" | tr '/' '_')
        { printf "\\x$(printf %02x "$selector")"; head -c 8192 "$file"; } > "$B/corpus/$target/seed-$selector-$name"
    done
}
seed_all() {
    seed detect 0 fixtures/*.csv fixtures/*.tsv fixtures/*.json fixtures/*.jsonl fixtures/*.log fixtures/*.txt \
        fixtures/bad/*.csv fixtures/bad/*.json fixtures/bad/*.jsonl fixtures/bad/*.log fixtures/hf-output/trainer_state.json
    # delimited: csv wandb-panel wandb-runs wandb-history tensorboard-csv lightning sweep
    seed delimited 0 fixtures/generic-long.csv fixtures/generic-wide.tsv fixtures/resumed.csv fixtures/bad/*.csv
    seed delimited 1 fixtures/wandb-panel.csv
    seed delimited 2 fixtures/wandb-runs.csv
    seed delimited 3 fixtures/wandb-history.csv
    seed delimited 4 fixtures/run_base-160M-tag-train_loss.csv
    seed delimited 5 fixtures/lightning_logs/version_0/metrics.csv
    seed delimited 6 fixtures/sweep.csv fixtures/sweep-compute.csv fixtures/benchmark-groups.csv
    # json: json jsonl tensorboard-json hf-trainer-state
    seed json 0 fixtures/records.json
    seed json 1 fixtures/generic.jsonl fixtures/wandb-history-api.jsonl fixtures/bad/history-trailing-comma.jsonl
    seed json 2 fixtures/run_base-160M-tag-eval_loss.json
    seed json 3 fixtures/hf-output/trainer_state.json fixtures/bad/trainer-state-*.json
    # text: nanogpt llmc megatron olmo hf-stdout
    seed text 0 fixtures/nanogpt.log
    seed text 1 fixtures/build-nanogpt.log fixtures/llmc-log.txt
    seed text 2 fixtures/megatron.log fixtures/bad/megatron-format-mismatch.log
    seed text 3 fixtures/olmo.log
    seed text 4 fixtures/hf-stdout.txt
    seed tfevents 0 $(find fixtures/tfevents-run -type f) fixtures/bad/garbage.tfevents
    seed mlflow 0 $(find fixtures/mlruns fixtures/bad/mlruns-bad -path '*/metrics/*' -type f)
    # fit: argument tokens, NUL, CSV.
    mkdir -p "$B/corpus/fit"
    local curve="x,loss"$'\n'"1000,3.1"$'\n'"10000,2.6"$'\n'"100000,2.3"$'\n'"1000000,2.1"$'\n'"10000000,2.0"$'\n'"100000000,1.95"
    local i=0
    for args in "--model"$'\n'"saturating" "--model"$'\n'"power"$'\n'"--json" "--model"$'\n'"auto"$'\n'"--holdout"$'\n'"1" \
        "--model"$'\n'"m4"$'\n'"--bootstrap"$'\n'"5" "--loss"$'\n'"huber:0.01"$'\n'"--predict"$'\n'"1e9"$'\n'"1e12" \
        "--model"$'\n'"broken1"$'\n'"--fix"$'\n'"E=1.5" "--space"$'\n'"linear"$'\n'"--model"$'\n'"m3" "--model"$'\n'"generations"; do
        { printf '%s\0' "$args"; printf '%s\n' "$curve"; } > "$B/corpus/fit/seed-$i"; i=$((i + 1))
    done
    { printf '%s\0' "--model"$'\n'"chinchilla"$'\n'"--x"$'\n'"N,D"$'\n'"--y"$'\n'"loss"; head -c 4096 fixtures/sweep.csv; } > "$B/corpus/fit/seed-chinchilla"
    { printf '%s\0' "--model"$'\n'"saturating"$'\n'"--x"$'\n'"N"$'\n'"--y"$'\n'"loss"; cat fixtures/sweep.csv; } > "$B/corpus/fit/seed-sweep"
}
seed_all

printf '%-10s %12s %10s %8s %s\n' target executions exec/s findings corpus
for target in $TARGETS; do
    mkdir -p "$B/findings/$target" "$B/logs"
    log="$B/logs/$target.log"
    if [ "$target" = fit ]; then
        binary="$B/fuzz-fit"; flags="-max_len=2048 -close_fd_mask=3"
    else
        binary="$B/fuzz-ingest"; flags="-max_len=65536"
    fi
    # -timeout: an input that takes longer than 10 s is a hang; -rss_limit_mb: an OOM.
    SCALEFIT_FUZZ_GROUP=$target ASAN_OPTIONS=detect_leaks=0 "$binary" "$B/corpus/$target" \
        -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$B/findings/$target/" $flags >"$log" 2>&1 || true
    runs=$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    speed=$(grep -a -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    findings=$(find "$B/findings/$target" -type f | wc -l)
    corpus=$(find "$B/corpus/$target" -type f | wc -l)
    printf '%-10s %12s %10s %8s %s\n' "$target" "$runs" "$speed" "$findings" "$corpus"
done
