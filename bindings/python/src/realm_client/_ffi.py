"""The ctypes layer: finding and loading the shared library, a prototype for every export,
error detail read right after each failing call, owned strings copied and freed.

Nothing here is public API except what ``realm_client/__init__.py`` re-exports.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import threading
from ctypes import POINTER, byref, c_bool, c_char_p, c_int32, c_uint32, c_void_p
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

from ._status import Status
from .errors import (
    AbiMismatchError,
    InternalError,
    LibraryError,
    LibraryNotFoundError,
    ProtocolError,
    error_for_status,
)

#: The ABI version (REALM_CLIENT_ABI_VERSION) this binding was written for.
ABI_VERSION = 1

#: The environment variable holding the path of the shared library.
ENV_VAR = "REALM_CLIENT_LIBRARY"

PathLike = Union[str, "os.PathLike[str]"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def library_file_names() -> List[str]:
    """The file name of the shared library on this platform."""
    if sys.platform == "darwin":
        return ["librealm_client.dylib"]
    if sys.platform == "win32":
        return ["realm_client.dll"]
    return ["librealm_client.so"]


def _repo_build_outputs(start: Path) -> List[Path]:
    """target/release and target/debug of the realm-client repo that holds ``start``, if any.

    The repo root is the first ancestor with Cargo.toml and include/realm_client.h; this finds
    it both for an editable install (src/realm_client in the repo) and for a virtual
    environment inside the repo (bindings/python/.venv/.../site-packages/realm_client).
    """
    for parent in start.parents:
        if (parent / "Cargo.toml").is_file() and (parent / "include" / "realm_client.h").is_file():
            return [
                parent / "target" / profile / name
                for profile in ("release", "debug")
                for name in library_file_names()
            ]
    return []


def _in_dir_or_file(p: Path) -> List[Path]:
    if p.is_dir():
        return [p / name for name in library_file_names()]
    return [p]


def find_library(
    path: Optional[PathLike] = None,
    *,
    environ: Optional[Mapping[str, str]] = None,
    package_dir: Optional[Path] = None,
) -> Path:
    """Where the shared library is, in this order:

    1. ``path``, when given (a file, or a directory holding the library);
    2. the ``REALM_CLIENT_LIBRARY`` environment variable, when set and non-empty;
    3. a copy next to this package's modules;
    4. the repo's own build output (target/release, then target/debug), when the package sits
       inside a realm-client checkout.

    An explicit path or the variable is used alone: when it names nothing, that is an error
    rather than a silent fall-back to another copy. Raises :class:`LibraryNotFoundError`
    naming every place it looked.
    """
    env = os.environ if environ is None else environ
    pkg = _PACKAGE_DIR if package_dir is None else package_dir
    searched: List[Tuple[str, str]] = []

    if path is not None:
        candidates = _in_dir_or_file(Path(os.fspath(path)))
        for c in candidates:
            if c.is_file():
                return c
        searched += [("path argument", str(c)) for c in candidates]
        raise LibraryNotFoundError(searched)

    env_value = env.get(ENV_VAR, "")
    if env_value:
        candidates = _in_dir_or_file(Path(env_value))
        for c in candidates:
            if c.is_file():
                return c
        searched += [(f"${ENV_VAR}", str(c)) for c in candidates]
        raise LibraryNotFoundError(searched, f"(${ENV_VAR} is set, so no other place was tried)")
    searched.append((f"${ENV_VAR}", "(not set)"))

    for c in [pkg / name for name in library_file_names()]:
        if c.is_file():
            return c
        searched.append(("next to the package", str(c)))

    repo = _repo_build_outputs(pkg)
    for c in repo:
        if c.is_file():
            return c
        searched.append(("repo build output", str(c)))
    if not repo:
        searched.append(("repo build output", f"(no realm-client checkout above {pkg})"))
    raise LibraryNotFoundError(
        searched,
        f"Build it with `cargo build --release` in the repo, or set {ENV_VAR} to its path.",
    )


_OutStr = POINTER(c_void_p)

# (name, restype, argtypes, fallible): every export of include/realm_client.h.
_PROTOTYPES: List[Tuple[str, Any, List[Any], bool]] = [
    ("realm_client_new", c_int32, [c_char_p, c_char_p, POINTER(c_void_p)], True),
    ("realm_free", None, [c_void_p], False),
    ("realm_login", c_int32, [c_void_p, c_char_p, c_char_p], True),
    ("realm_login_anonymous", c_int32, [c_void_p], True),
    ("realm_login_email_password", c_int32, [c_void_p, c_char_p, c_char_p], True),
    ("realm_login_api_key", c_int32, [c_void_p, c_char_p], True),
    ("realm_login_custom_jwt", c_int32, [c_void_p, c_char_p], True),
    ("realm_login_custom_function", c_int32, [c_void_p, c_char_p], True),
    ("realm_refresh", c_int32, [c_void_p], True),
    ("realm_graphql", c_int32, [c_void_p, c_char_p, c_char_p, c_char_p, _OutStr], True),
    ("realm_logout", c_int32, [c_void_p], True),
    ("realm_is_logged_in", c_bool, [c_void_p], False),
    ("realm_user_id", c_int32, [c_void_p, _OutStr], True),
    ("realm_user_json", c_int32, [c_void_p, _OutStr], True),
    ("realm_access_token", c_int32, [c_void_p, _OutStr], True),
    ("realm_session_export", c_int32, [c_void_p, _OutStr], True),
    ("realm_session_restore", c_int32, [c_void_p, c_char_p], True),
    ("realm_admin_new", c_int32, [c_char_p, POINTER(c_void_p)], True),
    ("realm_admin_verify_token", c_int32, [c_void_p, c_char_p, _OutStr], True),
    ("realm_admin_free", None, [c_void_p], False),
    # Borrowed const char* returns: c_char_p copies them into bytes, and they are never freed.
    ("realm_last_error_message", c_char_p, [], False),
    ("realm_last_error_http_status", c_int32, [], False),
    ("realm_last_error_server_code", c_char_p, [], False),
    ("realm_last_error_link", c_char_p, [], False),
    ("realm_client_version", c_char_p, [], False),
    ("realm_client_abi_version", c_uint32, [], False),
    ("realm_status_name", c_char_p, [c_int32], False),
    # The owned char* outputs come back through c_void_p out-parameters, never c_char_p
    # (which would copy the text and drop the pointer, leaking it); they are freed here.
    ("realm_string_free", None, [c_void_p], False),
]

EXPORTS = tuple(name for name, _, _, _ in _PROTOTYPES)


def _text(raw: Optional[bytes]) -> str:
    return raw.decode("utf-8", "replace") if raw else ""


class Library:
    """A loaded realm-client shared library with the prototypes of all its exports."""

    path: str
    version: str
    abi_version: int
    # The exports, set from _PROTOTYPES in __init__ (ctypes function pointers).
    realm_client_new: Any
    realm_free: Any
    realm_login: Any
    realm_login_anonymous: Any
    realm_login_email_password: Any
    realm_login_api_key: Any
    realm_login_custom_jwt: Any
    realm_login_custom_function: Any
    realm_refresh: Any
    realm_graphql: Any
    realm_logout: Any
    realm_is_logged_in: Any
    realm_user_id: Any
    realm_user_json: Any
    realm_access_token: Any
    realm_session_export: Any
    realm_session_restore: Any
    realm_admin_new: Any
    realm_admin_verify_token: Any
    realm_admin_free: Any
    realm_last_error_message: Any
    realm_last_error_http_status: Any
    realm_last_error_server_code: Any
    realm_last_error_link: Any
    realm_client_version: Any
    realm_client_abi_version: Any
    realm_status_name: Any
    realm_string_free: Any

    def __init__(self, path: PathLike) -> None:
        self.path = os.fspath(path)
        try:
            # RTLD_LOCAL (ctypes' default): our realm_free / realm_refresh never interpose on
            # realm-core's functions of the same names, nor the other way round.
            self._dll = ctypes.CDLL(self.path)
        except OSError as e:
            raise LibraryError(f"cannot load the realm-client library {self.path}: {e}") from e
        try:
            abi = self._dll.realm_client_abi_version
        except AttributeError:
            raise LibraryError(
                f"{self.path} is not a realm-client library: it has no realm_client_abi_version"
            ) from None
        abi.argtypes = []
        abi.restype = c_uint32
        self.abi_version = int(abi())
        if self.abi_version != ABI_VERSION:
            raise AbiMismatchError(self.path, self.abi_version, ABI_VERSION)

        for name, restype, argtypes, fallible in _PROTOTYPES:
            try:
                fn = getattr(self._dll, name)
            except AttributeError:
                raise LibraryError(
                    f"{self.path} has ABI version {self.abi_version} but lacks the export {name}"
                ) from None
            fn.restype = restype
            fn.argtypes = argtypes
            if fallible:
                fn.errcheck = self._errcheck
            setattr(self, name, fn)
        self.version = _text(self._dll.realm_client_version())

    # The error detail is per thread and valid only until the next realm_* call on this thread:
    # errcheck runs on the calling thread right after the call, before anything else.
    def _errcheck(self, result: int, func: Any, args: Any) -> int:
        if result == Status.OK:
            return result
        message = _text(self.realm_last_error_message())
        http_status = int(self.realm_last_error_http_status())
        server_code = _text(self.realm_last_error_server_code())
        link = _text(self.realm_last_error_link())
        raise error_for_status(
            result,
            message,
            status_name=_text(self.realm_status_name(result)),
            http_status=http_status,
            server_code=server_code,
            link=link,
        )

    def call_out_string(self, fn: Callable[..., int], *args: Any) -> str:
        """Calls ``fn(*args, &out)`` and returns the owned string, freed after copying."""
        out = c_void_p()
        try:
            fn(*args, byref(out))
            if not out.value:
                raise InternalError(
                    f"{fn.__name__} succeeded without setting its output",
                    status=Status.INTERNAL,
                )
            return ctypes.string_at(out.value).decode("utf-8")
        finally:
            if out.value:
                self.realm_string_free(out)

    def call_out_json(self, fn: Callable[..., int], *args: Any) -> Any:
        text = self.call_out_string(fn, *args)
        try:
            return json.loads(text)
        except ValueError as e:
            raise ProtocolError(
                f"{fn.__name__} returned text that is not JSON: {e}", status=Status.PROTOCOL
            ) from None

    def status_name(self, status: int) -> str:
        return _text(self.realm_status_name(int(status)))

    def __repr__(self) -> str:
        return f"<realm_client.Library {self.path!r} version {self.version}>"


_lock = threading.Lock()
_loaded: Dict[str, Library] = {}
_default: Optional[Library] = None


def load_library(path: Optional[PathLike] = None) -> Library:
    """Finds (see :func:`find_library`), loads and checks the shared library.

    The first library loaded becomes the default one that clients use when given no
    ``library`` argument. Loading the same file again returns the same :class:`Library`.
    """
    global _default
    found = find_library(path)
    key = os.path.realpath(found)
    with _lock:
        lib = _loaded.get(key)
        if lib is None:
            lib = Library(found)
            _loaded[key] = lib
        if _default is None:
            _default = lib
        return lib


def default_library() -> Library:
    """The default library, loaded on first use."""
    lib = _default
    if lib is not None:
        return lib
    return load_library(None)


def resolve_library(library: Union[None, Library, PathLike]) -> Library:
    if library is None:
        return default_library()
    if isinstance(library, Library):
        return library
    return load_library(library)


# ---- arguments ---------------------------------------------------------------------------


def encode_str(value: Any, name: str) -> bytes:
    """A str argument as NUL-terminated UTF-8; TypeError for anything but str."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be str, not {type(value).__name__}")
    if "\x00" in value:
        raise ValueError(f"{name} must not contain NUL characters")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"{name} is not encodable as UTF-8: {e}") from None


def encode_opt_str(value: Any, name: str) -> Optional[bytes]:
    return None if value is None else encode_str(value, name)


def encode_json_object(value: Any, name: str) -> bytes:
    """A mapping argument as a JSON object; TypeError for anything else."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping (dict), not {type(value).__name__}")
    try:
        text = json.dumps(dict(value), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name} is not JSON-serialisable: {e}") from None
    return encode_str(text, name)


def options_json(options: Mapping[str, Any], types: Mapping[str, Any]) -> Optional[bytes]:
    """The options JSON object of the keyword options that are not None, checked by type."""
    out: Dict[str, Any] = {}
    for key, value in options.items():
        if value is None:
            continue
        kind = types[key]
        if kind is bool:
            if not isinstance(value, bool):
                raise TypeError(f"option {key} must be bool, not {type(value).__name__}")
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"option {key} must be int, not {type(value).__name__}")
        elif kind is os.PathLike:
            if isinstance(value, os.PathLike):
                value = os.fspath(value)
            encode_str(value, f"option {key}")
        else:
            encode_str(value, f"option {key}")
        out[key] = value
    if not out:
        return None
    return json.dumps(out, ensure_ascii=False).encode("utf-8")


#: The transport options shared by Client and AdminClient, with their Python types.
TRANSPORT_OPTIONS: Dict[str, Any] = {
    "base_url": str,
    "connect_timeout_ms": int,
    "request_timeout_ms": int,
    "user_agent": str,
    "ca_file": os.PathLike,
    "platform_trust_store": bool,
    "allow_insecure_http": bool,
    "max_response_bytes": int,
    "max_redirects": int,
}

CLIENT_OPTIONS: Dict[str, Any] = {
    **TRANSPORT_OPTIONS,
    "app_name": str,
    "app_version": str,
    "auto_relogin": bool,
    "skip_location": bool,
}
