# binding.gyp: builds native/ into build/Release/nabla_native.node (node-gyp).
{
  "targets": [
    {
      "target_name": "nabla_native",
      "sources": [
        "native/addon.cc",
        "native/errors.cc",
        "native/seccomp_compile.cc",
        "native/memfd.cc",
        "native/tap.cc",
        "native/exec.cc",
        "native/fd.cc",
        "native/syscall_names.cc",
        "native/accounts.cc",
        "native/engine.cc",
        "native/exit_watch.cc",
        "native/peercred.cc",
        "native/oci.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      # C++ exceptions on, everywhere: node-addon-api throws Napi::Error as a
      # C++ exception and rethrows it to JavaScript at the callback boundary,
      # so RAII guards close descriptors and release contexts on every path.
      # node-gyp's common.gypi adds -fno-exceptions; it is removed here.
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags": ["-Wall", "-Wextra", "-Werror"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Werror"],
      "libraries": ["-lseccomp"]
    }
  ]
}
