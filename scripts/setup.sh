#!/usr/bin/env bash
# setup.sh: installs system and npm dependencies, builds everything, and boots examples/hello.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi

# System packages: the compilers and CMake for the tender, libseccomp for the addon,
# clang-format for the C style check, iproute2 for tap devices in the network tests,
# chromium for the test that renders the audit's HTML report headless, bubblewrap for the
# benchmarks' container-like peer (nabla bench), clang-14 and its runtimes (libFuzzer, ASan,
# UBSan) for the fuzz harnesses (scripts/fuzz.sh), containerd, runc and the CNI plugins for
# nabla-oci's end-to-end tests (test/oci: containerd started by the tests, with private
# directories; curl reaches the pod's guest), runsc (gVisor) and crun, the peers whose
# enforced seccomp filters `nabla audit` reads back and the benchmarks run (src/bench/oci.ts).
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config libseccomp-dev clang-format iproute2 iputils-ping python3 \
  chromium bubblewrap clang-14 libclang-rt-14-dev wrk nginx-light \
  containerd runc containernetworking-plugins curl runsc crun >/dev/null

# lwIP for the SDK's TCP/IP stack: Debian's source package, through a private apt
# configuration under build/lwip (scripts/fetch-lwip.sh says what it verifies). Before the
# build: examples/tcp-echo links it.
bash scripts/fetch-lwip.sh

# Native packages build from source with the installed Node's headers (/usr/include/node):
# better-sqlite3's installer would otherwise fetch a prebuilt binary from GitHub. The repository's
# .npmrc says the same (build_from_source, nodedir); these cover an npm that ignores it.
export npm_config_build_from_source=true npm_config_nodedir=/usr
npm ci --no-audit --no-fund
npm run build

echo "--- booting examples/hello under nabla-run ---"
node bin/nabla-run.js build/examples/hello.nabla "Hello from nabla"
