# Sourced by the scripts: pinned tool versions and the PATH they are found on.
# Keep WASM_BINDGEN_VERSION equal to the `wasm-bindgen = "=…"` pin in Cargo.toml.
export WASM_BINDGEN_VERSION=0.2.130
export TRUNK_VERSION=0.21.14
export WASM_PACK_VERSION=0.15.1
export CARGO_FUZZ_VERSION=0.13.2
export PYTEST_VERSION=8.3.5
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
# trunk must not look for updates on the network.
export TRUNK_SKIP_VERSION_CHECK=true
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# The page's wasm names the source files its panics would point to; strip the
# machine's own prefixes (crate registry, this checkout) so the page weighs the
# same on every machine (the standard library's own paths stay).
remap=""
for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  if [ -d "$dir" ]; then remap+=" --remap-path-prefix=$dir="; fi
done
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${remap# } --remap-path-prefix=$PWD/="
unset remap dir
