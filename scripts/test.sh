#!/usr/bin/env bash
# Runs every test of Mail Lab: installs what is missing, then lint, native engine
# tests, wasm tests in headless Chromium (cargo and wasm-pack), the release page
# build with its weight budget, and the end-to-end tests typed into the real page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh test
source scripts/env.sh
# A whole run needs no incremental caches, and line tables are enough for a
# failing test's backtrace: together they shrink target/ by gigabytes (a run
# of this command once ran out of disk while building the fuzz targets).
export CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=line-tables-only

ENGINE_CRATES=(-p mail-lab-proto -p mail-lab-message -p mail-lab-store -p mail-lab-auth -p mail-lab-smtp -p mail-lab-pop3 -p mail-lab-imap -p mail-lab-world -p mail-lab-serve)
step() { printf '\n=== %s\n' "$*"; }

step "format"
cargo fmt --all --check

step "clippy (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy (wasm32)"
# The native server (tokio sockets) is the one crate that does not target the browser.
cargo clippy --workspace --exclude mail-lab-serve --all-targets --locked --target wasm32-unknown-unknown -- -D warnings

step "clippy and tests of the page's build of the world (DKIM without RSA and the whole suffix list), and of DMARC on SPF alone (no DKIM)"
cargo clippy -p mail-lab-world --no-default-features --features dkim --all-targets --locked -- -D warnings
cargo test --locked -p mail-lab-world --no-default-features --features dkim
cargo clippy -p mail-lab-world --no-default-features --features dmarc --all-targets --locked -- -D warnings
cargo test --locked -p mail-lab-world --no-default-features --features dmarc
# The auth crate as the page builds it (Ed25519 DKIM, SPF, DMARC, the short suffix list), and with no crypto.
cargo clippy -p mail-lab-auth --no-default-features --features dkim --all-targets --locked -- -D warnings
cargo test --locked -p mail-lab-auth --no-default-features --features dkim
cargo test --locked -p mail-lab-auth --no-default-features

step "native tests of the engine crates"
cargo test --locked "${ENGINE_CRATES[@]}"

step "native server against real clients (pytest: smtplib, poplib, imaplib, curl, swaks, nodemailer, imapflow; loopback only), Dovecot and Postfix side by side, and the openspf suite"
cargo build --locked -p mail-lab-serve
cargo build --locked -p mail-lab-auth --example spf_suite
.venv/bin/python -m pytest tests/native -q -s

step "wasm tests of the web crate in headless Chromium (cargo test)"
cargo test --locked -p mail-lab-web --target wasm32-unknown-unknown

step "wasm tests of the web crate in headless Chromium (wasm-pack)"
wasm-pack test --headless --chrome --mode no-install web

step "the page's loader: its LZMA decoder against xz (round trips, six lc/lp/pb settings, damaged streams)"
node --test tests/page/

step "release build of the page"
rm -rf dist
trunk build --release

step "page weight"
bash scripts/page-weight.sh dist

step "the page's own cost in Chromium (Enter to paint, compose keystroke, memory: figures for the log)"
node scripts/bench-page.mjs

step "benchmarks (criterion, quick run: figures for the log, not pass/fail)"
cargo bench --locked -p mail-lab-smtp --bench data_path -- --quick
cargo bench --locked -p mail-lab-pop3 --bench retr -- --quick
cargo bench --locked -p mail-lab-message --bench parse -- --quick
cargo bench --locked -p mail-lab-imap --bench folder -- --quick
# The same world workload natively and in Chromium, side by side.
cargo bench --locked -p mail-lab-world --bench relay -- --quick
cargo bench --locked -p mail-lab-auth --bench checks -- --quick
# The benchmark's own build of the page (it exports the workload; the learners' page does not).
trunk build --release --features bench --dist target/dist-bench
DIST=target/dist-bench node scripts/bench-wasm.mjs

step "fuzz smoke (each target 30 s; the 10-minute runs are in the issue notes)"
if rustup toolchain list | grep -q '^nightly' && command -v cargo-fuzz >/dev/null; then
  # The seed comes from the commit: a run of this commit on any machine tries
  # the same inputs first (as many as it gets through in 30 s), so a crash it
  # finds is found again by a run of the same commit.
  seed=$((16#$(git rev-parse --short=7 HEAD 2>/dev/null || echo 1)))
  for target in $(ls fuzz/fuzz_targets | sed 's/\.rs$//'); do
    scratch=$(mktemp -d)
    out=$(mktemp)
    if (cd fuzz && cargo +nightly fuzz run -O "$target" "$scratch" "corpus/$target" -- -seed="$seed" -max_total_time=30 -max_len=65536 -rss_limit_mb=1024) > "$out" 2>&1; then
      tail -1 "$out"
    else
      # Everything needed to reproduce: the panic, libFuzzer's verdict and the input.
      grep -E -A3 "panicked|ERROR|SUMMARY|Test unit written|Base64|^error|Killed" "$out" | head -60 || true
      echo "fuzz target $target failed (seed $seed); its last lines:"
      tail -40 "$out"
      exit 1
    fi
    rm -rf "$scratch" "$out"
  done
else
  echo "skipped: needs a nightly toolchain and cargo-fuzz (install: cargo install --locked cargo-fuzz --version =0.13.2)"
fi

step "end-to-end tests in headless Chromium"
rm -rf test-results
node --test tests/e2e/*.test.mjs
