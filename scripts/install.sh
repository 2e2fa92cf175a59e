#!/usr/bin/env bash
# Installs what Mail Lab needs on a fresh Debian 12 machine with rustup's Rust,
# node and python3. Idempotent: each step checks first and is skipped when done.
# Every tool comes from crates.io, npm or apt; nothing is downloaded from elsewhere.
#
#   scripts/install.sh lab    tools to build and serve the page
#   scripts/install.sh test   everything the test command needs (default)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

want="${1:-test}"
IMAPCLIENT_VERSION="${IMAPCLIENT_VERSION:-4.1.0}"
PYYAML_VERSION="${PYYAML_VERSION:-6.0.2}"
PYSPF_VERSION="${PYSPF_VERSION:-2.0.14}"
DKIMPY_VERSION="${DKIMPY_VERSION:-1.1.8}"
PYNACL_VERSION="${PYNACL_VERSION:-1.6.2}"
say() { echo "[install] $*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "[install] need root for: $*" >&2; return 1; fi
}

# --- Debian packages -------------------------------------------------------
apt_missing=()
command -v node >/dev/null || apt_missing+=(nodejs)
command -v npm >/dev/null || apt_missing+=(npm)
command -v python3 >/dev/null || apt_missing+=(python3)
command -v gzip >/dev/null || apt_missing+=(gzip)
# The release build ships the wasm LZMA-compressed (scripts/post-build.mjs).
command -v xz >/dev/null || apt_missing+=(xz-utils)
if [ "$want" = test ]; then
  command -v chromium >/dev/null || apt_missing+=(chromium)
  command -v chromedriver >/dev/null || apt_missing+=(chromium-driver)
  # Real mail clients for the native server's tests.
  command -v swaks >/dev/null || apt_missing+=(swaks)
  # swaks's --tls needs these; --no-install-recommends leaves them out.
  perl -MNet::SSLeay -MIO::Socket::SSL -e1 2>/dev/null || apt_missing+=(libnet-ssleay-perl libio-socket-ssl-perl)
  command -v curl >/dev/null || apt_missing+=(curl)
  # Dovecot, whose ENVELOPE and BODYSTRUCTURE the message model must match (doveadm only; no service is enabled).
  command -v doveadm >/dev/null || apt_missing+=(dovecot-core)
  # Dovecot's IMAP server, the oracle the lab's IMAP answers are compared with
  # (tests/native/test_imap_vs_dovecot.py runs its own on a free loopback port with its own
  # config; a system service the package may start is neither used nor disturbed).
  [ -x /usr/lib/dovecot/imap ] || apt_missing+=(dovecot-imapd)
  # Dovecot's POP3 server, the same kind of oracle for the lab's POP3 answers
  # (tests/native/test_pop3_vs_dovecot.py).
  [ -x /usr/lib/dovecot/pop3 ] || apt_missing+=(dovecot-pop3d)
  # Postfix, the oracle for the lab's SMTP replies (tests/native/test_smtp_vs_postfix.py runs
  # a private one on a free loopback port with its own config). Installed as "No
  # configuration": the package then sets up and starts no system mail server.
  if ! command -v postfix >/dev/null; then
    echo "postfix postfix/main_mailer_type select No configuration" | as_root debconf-set-selections
    apt_missing+=(postfix)
  fi
  # A Japanese font, so screenshots of the Japanese page show glyphs, not boxes.
  dpkg -s fonts-ipafont-gothic >/dev/null 2>&1 || apt_missing+=(fonts-ipafont-gothic)
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "apt-get install ${apt_missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${apt_missing[@]}"
fi

# --- Rust toolchain pieces -------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "rustup component add $component"
    rustup component add "$component"
  fi
done

# cargo install only when the exact pinned version is missing.
have_version() { "$1" --version 2>/dev/null | grep -qF "$2"; }
if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  # Not --locked: its lockfile pins a crate the registry no longer has.
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi
if ! have_version trunk "$TRUNK_VERSION"; then
  say "cargo install trunk $TRUNK_VERSION"
  cargo install --locked trunk --version "=$TRUNK_VERSION"
fi
if [ "$want" = test ] && ! have_version wasm-pack "$WASM_PACK_VERSION"; then
  say "cargo install wasm-pack $WASM_PACK_VERSION"
  cargo install --locked wasm-pack --version "=$WASM_PACK_VERSION"
fi

# cargo-fuzz only where a nightly toolchain exists (rustup cannot fetch one here).
if [ "$want" = test ] && rustup toolchain list | grep -q '^nightly' && ! have_version cargo-fuzz "$CARGO_FUZZ_VERSION"; then
  say "cargo install cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install --locked cargo-fuzz --version "=$CARGO_FUZZ_VERSION"
fi

# --- node packages (wasm-opt from binaryen, playwright-core) ---------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
fi

# --- pytest for the real-client tests, in a venv of the project's own ---------
if [ "$want" = test ]; then
  if [ ! -x .venv/bin/python ]; then
    say "python3 -m venv .venv"
    python3 -m venv .venv 2>/dev/null || {
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
      python3 -m venv .venv
    }
  fi
  if ! .venv/bin/python -m pytest --version 2>/dev/null | grep -qF "$PYTEST_VERSION"; then
    say "pip install pytest $PYTEST_VERSION"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "pytest==$PYTEST_VERSION"
  fi
  # IMAPClient, a real IMAP client library (IDLE) for tests/native/test_idle_push.py.
  if ! .venv/bin/python -c 'import imapclient, sys; sys.exit(imapclient.__version__ != sys.argv[1])' "$IMAPCLIENT_VERSION" 2>/dev/null; then
    say "pip install imapclient $IMAPCLIENT_VERSION"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "imapclient==$IMAPCLIENT_VERSION"
  fi
  # The openspf RFC 7208 suite (tests/native/test_spf_suite.py), shipped in pyspf's
  # source distribution on PyPI, and PyYAML to read it.
  if ! .venv/bin/python -c 'import yaml, sys; sys.exit(yaml.__version__ != sys.argv[1])' "$PYYAML_VERSION" 2>/dev/null; then
    say "pip install pyyaml $PYYAML_VERSION"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "pyyaml==$PYYAML_VERSION"
  fi
  # dkimpy, an independent DKIM implementation (tests/native/test_dkim_dmarc.py), with
  # PyNaCl for its ed25519-sha256.
  if ! .venv/bin/python -c 'import importlib.metadata as m, sys; sys.exit(m.version("dkimpy") != sys.argv[1] or m.version("pynacl") != sys.argv[2])' "$DKIMPY_VERSION" "$PYNACL_VERSION" 2>/dev/null; then
    say "pip install dkimpy $DKIMPY_VERSION pynacl $PYNACL_VERSION"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "dkimpy==$DKIMPY_VERSION" "pynacl==$PYNACL_VERSION"
  fi
  if [ ! -f ".cache/pyspf-$PYSPF_VERSION/test/rfc7208-tests.yml" ]; then
    say "pip download pyspf $PYSPF_VERSION (its test suite)"
    mkdir -p .cache
    .venv/bin/python -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
      --dest .cache "pyspf==$PYSPF_VERSION"
    tar -xzf ".cache/pyspf-$PYSPF_VERSION.tar.gz" -C .cache "pyspf-$PYSPF_VERSION/test"
  fi
fi

# --- crates, so trunk and tests can run offline ----------------------------
cargo fetch --locked >/dev/null
say "ready ($want)"
