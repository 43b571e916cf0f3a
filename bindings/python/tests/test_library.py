"""Locating and loading the shared library, the ABI check, and the prototypes of every export
compared with include/realm_client.h (the source of truth)."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import realm_client
from realm_client import _ffi
from conftest import PACKAGE_ROOT, REPO_ROOT

HEADER = REPO_ROOT / "include" / "realm_client.h"
LIB_NAME = _ffi.library_file_names()[0]


def header_text() -> str:
    return HEADER.read_text(encoding="utf-8")


def header_functions() -> dict:
    """name -> (return type, [parameter types]) of every function declared in the header."""
    text = re.sub(r"/\*.*?\*/", "", header_text(), flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"^\s*#[^\n]*", "", text, flags=re.M)
    text = text.replace('extern "C" {', "").replace("}", "")
    out = {}
    for m in re.finditer(r"([A-Za-z_][\w\s\*]*?)\b(realm_\w+)\s*\(([^)]*)\)\s*;", text):
        ret = " ".join(m.group(1).split())
        name, params = m.group(2), m.group(3).strip()
        plist = [] if params in ("", "void") else [p.strip() for p in params.split(",")]
        out[name] = (ret, plist)
    return out


def real_library() -> Path:
    return _ffi.find_library()


# ---- prototypes -------------------------------------------------------------------------------


def test_every_header_export_has_a_prototype():
    funcs = header_functions()
    assert len(funcs) >= 28, funcs.keys()
    assert set(funcs) == set(realm_client.EXPORTS)


def test_prototypes_match_the_header_types():
    lib = realm_client.load_library()
    ctype_of = {
        "realm_status": ctypes.c_int32,
        "int32_t": ctypes.c_int32,
        "uint32_t": ctypes.c_uint32,
        "bool": ctypes.c_bool,
        "const char *": ctypes.c_char_p,
        "char *": ctypes.c_void_p,  # owned: taken as a raw pointer, never c_char_p
        "void": None,
    }
    for name, (ret, params) in header_functions().items():
        fn = getattr(lib, name)
        assert fn.restype is ctype_of[ret], name
        assert len(fn.argtypes) == len(params), name
        for param, argtype in zip(params, fn.argtypes):
            ptype = re.sub(r"\s*\b\w+$", "", param).strip()
            if "realm_client" in ptype or "realm_admin" in ptype:
                if ptype.endswith("**"):
                    assert argtype is ctypes.POINTER(ctypes.c_void_p), (name, param)
                else:
                    assert argtype is ctypes.c_void_p, (name, param)
            elif ptype == "char **":
                assert argtype is ctypes.POINTER(ctypes.c_void_p), (name, param)
            elif ptype == "char *":
                assert argtype is ctypes.c_void_p, (name, param)
            else:
                assert argtype is ctype_of[ptype], (name, param)
        # Every realm_status function raises through errcheck; the others have none.
        if ret == "realm_status":
            assert fn.errcheck == lib._errcheck, name


def test_no_owned_string_is_received_as_c_char_p():
    lib = realm_client.load_library()
    for name, (ret, params) in header_functions().items():
        fn = getattr(lib, name)
        if ret == "char *":
            assert fn.restype is not ctypes.c_char_p, name
        for param, argtype in zip(params, fn.argtypes):
            if param.startswith("char **"):
                assert argtype is ctypes.POINTER(ctypes.c_void_p), (name, param)


def test_abi_and_version_match_the_header_macros():
    text = header_text()
    abi = int(re.search(r"#define REALM_CLIENT_ABI_VERSION (\d+)", text).group(1))
    version = re.search(r'#define REALM_CLIENT_VERSION "([^"]+)"', text).group(1)
    assert realm_client.ABI_VERSION == abi
    assert realm_client.load_library().abi_version == abi
    assert realm_client.library_version() == version


def test_status_enum_matches_the_header_and_the_library():
    macros = {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"#define REALM_(OK|ERR_\w+) (-?\d+)", header_text())
    }
    names = {k.replace("ERR_", "", 1): v for k, v in macros.items()}
    assert names == {s.name: int(s) for s in realm_client.Status}
    for s in realm_client.Status:
        assert realm_client.status_name(s) == s.name
    assert realm_client.status_name(12345) == "UNKNOWN"


def test_the_library_is_loaded_once_per_file():
    a = realm_client.load_library()
    b = realm_client.load_library(real_library())
    c = realm_client.load_library(real_library().parent)  # a directory holding it
    assert a is b is c
    assert "librealm_client" in repr(a)


def test_client_accepts_an_explicit_library(emu):
    lib = realm_client.load_library(real_library())
    with realm_client.Client("demo-abcde", base_url=emu.url, library=str(real_library())) as c:
        assert c._lib is lib
    with realm_client.Client("demo-abcde", base_url=emu.url, library=lib) as c:
        c.login_anonymous()
        assert c.is_logged_in


# ---- the search order -----------------------------------------------------------------------


def test_search_order(tmp_path):
    lib_file = real_library()
    explicit = tmp_path / "explicit" / LIB_NAME
    env_lib = tmp_path / "env" / LIB_NAME
    pkg = tmp_path / "pkg"
    for p in (explicit, env_lib, pkg / LIB_NAME):
        p.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(lib_file, p)
    env = {_ffi.ENV_VAR: str(env_lib)}
    # 1. an explicit path wins over everything
    assert _ffi.find_library(explicit, environ=env, package_dir=pkg) == explicit
    # 2. then the environment variable
    assert _ffi.find_library(None, environ=env, package_dir=pkg) == env_lib
    # 3. then a copy next to the package
    assert _ffi.find_library(None, environ={}, package_dir=pkg) == pkg / LIB_NAME
    # an empty variable counts as unset
    assert _ffi.find_library(None, environ={_ffi.ENV_VAR: ""}, package_dir=pkg) == pkg / LIB_NAME
    # 4. then the repo's build output, found from a package inside the checkout
    inside = REPO_ROOT / "bindings" / "python" / "src" / "realm_client"
    found = _ffi.find_library(None, environ={}, package_dir=inside)
    assert found.parent.parent == REPO_ROOT / "target"
    assert found.name == LIB_NAME


def test_not_found_names_every_place_looked(tmp_path):
    with pytest.raises(realm_client.LibraryNotFoundError) as info:
        _ffi.find_library(None, environ={}, package_dir=tmp_path / "pkg")
    err = info.value
    text = str(err)
    assert "REALM_CLIENT_LIBRARY" in text and "(not set)" in text
    assert str(tmp_path / "pkg" / LIB_NAME) in text
    assert "repo build output" in text
    assert [s for s, _ in err.searched][0] == "$REALM_CLIENT_LIBRARY"
    assert isinstance(err, realm_client.LibraryError)


def test_a_wrong_explicit_path_or_variable_is_an_error_not_a_fallback(tmp_path):
    missing = tmp_path / "nope" / LIB_NAME
    with pytest.raises(realm_client.LibraryNotFoundError) as info:
        realm_client.load_library(missing)
    assert str(missing) in str(info.value)
    assert info.value.searched == [("path argument", str(missing))]
    with pytest.raises(realm_client.LibraryNotFoundError) as info:
        _ffi.find_library(None, environ={_ffi.ENV_VAR: str(missing)})
    assert str(missing) in str(info.value) and "no other place" in str(info.value)


def _run_python(code: str, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_not_found_in_a_fresh_process_outside_the_repo(tmp_path):
    """The package copied out of the repo, with no variable and no copy next to it."""
    shutil.copytree(PACKAGE_ROOT / "src" / "realm_client", tmp_path / "realm_client")
    env = {k: v for k, v in os.environ.items() if k not in (_ffi.ENV_VAR, "PYTHONPATH")}
    env["PYTHONPATH"] = str(tmp_path)
    code = """
        import realm_client  # importing does not need the library
        assert realm_client.__file__.startswith(%r), realm_client.__file__
        try:
            realm_client.Client("demo-abcde")
        except realm_client.LibraryNotFoundError as e:
            print(e)
        else:
            raise SystemExit("no error")
    """ % str(tmp_path)
    r = _run_python(code, env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "realm-client shared library not found; looked in:" in r.stdout
    assert "$REALM_CLIENT_LIBRARY: (not set)" in r.stdout
    assert str(tmp_path / "realm_client" / LIB_NAME) in r.stdout
    assert "no realm-client checkout above" in r.stdout

    # The same package finds a copy placed next to its modules.
    shutil.copy(real_library(), tmp_path / "realm_client" / LIB_NAME)
    r = _run_python(
        "import realm_client; print(realm_client.load_library().path)", env, tmp_path
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(tmp_path / "realm_client" / LIB_NAME)


def test_the_variable_is_honoured_in_a_fresh_process(tmp_path):
    copy = tmp_path / LIB_NAME
    shutil.copy(real_library(), copy)
    env = dict(os.environ, **{_ffi.ENV_VAR: str(copy)})
    r = _run_python("import realm_client; print(realm_client.load_library().path)", env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(copy)


# ---- ABI mismatch and foreign libraries ---------------------------------------------------------


def _compile(tmp_path: Path, name: str, source: str) -> Path:
    cc = shutil.which(os.environ.get("CC", "gcc")) or shutil.which("cc")
    assert cc, "a C compiler (gcc) is needed to build the fake libraries of this test"
    src = tmp_path / f"{name}.c"
    src.write_text(source)
    out = tmp_path / name / LIB_NAME
    out.parent.mkdir()
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(out), str(src)], check=True)
    return out


def test_abi_mismatch_is_refused(tmp_path):
    fake = _compile(
        tmp_path,
        "abi999",
        "#include <stdint.h>\nuint32_t realm_client_abi_version(void) { return 999; }\n",
    )
    with pytest.raises(realm_client.AbiMismatchError) as info:
        realm_client.load_library(fake)
    err = info.value
    assert (err.found, err.expected, err.path) == (999, realm_client.ABI_VERSION, str(fake))
    assert "ABI version 999" in str(err) and f"ABI version {realm_client.ABI_VERSION}" in str(err)
    assert isinstance(err, realm_client.LibraryError)
    # A refused library never becomes the one clients use.
    assert realm_client.load_library().abi_version == realm_client.ABI_VERSION


def test_abi_mismatch_through_the_variable_in_a_fresh_process(tmp_path):
    fake = _compile(
        tmp_path,
        "abi0",
        "#include <stdint.h>\nuint32_t realm_client_abi_version(void) { return 0; }\n",
    )
    env = dict(os.environ, **{_ffi.ENV_VAR: str(fake)})
    code = """
        import realm_client
        try:
            realm_client.Client("demo-abcde")
        except realm_client.AbiMismatchError as e:
            print(e)
        else:
            raise SystemExit("no error")
    """
    r = _run_python(code, env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"{fake} has ABI version 0" in r.stdout


def test_a_library_that_is_not_realm_client(tmp_path):
    fake = _compile(tmp_path, "other", "int something_else(void) { return 1; }\n")
    with pytest.raises(realm_client.LibraryError, match="not a realm-client library"):
        realm_client.load_library(fake)


def test_a_library_missing_an_export(tmp_path):
    fake = _compile(
        tmp_path,
        "partial",
        "#include <stdint.h>\nuint32_t realm_client_abi_version(void) { return %d; }\n"
        % realm_client.ABI_VERSION,
    )
    with pytest.raises(realm_client.LibraryError, match="lacks the export realm_client_new"):
        realm_client.load_library(fake)


def test_a_file_that_is_not_a_library(tmp_path):
    bogus = tmp_path / LIB_NAME
    bogus.write_text("not an ELF file")
    with pytest.raises(realm_client.LibraryError, match="cannot load"):
        realm_client.load_library(bogus)
