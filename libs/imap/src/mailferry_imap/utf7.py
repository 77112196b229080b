"""Modified UTF-7 (RFC 3501 §5.1.3), the encoding of IMAP folder names.

Printable ASCII stands for itself except ``&``, written ``&-``; any other run of characters is
UTF-16BE in a modified base64 (``,`` instead of ``/``, no padding) between ``&`` and ``-``.
"""

import base64
import binascii

_PRINTABLE_LOW, _PRINTABLE_HIGH = 0x20, 0x7E


class Utf7Error(ValueError):
    """A folder name that is not valid modified UTF-7."""


def encode_mutf7(name: str) -> str:
    """Encode a folder name for the wire."""
    out: list[str] = []
    pending: list[str] = []
    for char in name:
        if _PRINTABLE_LOW <= ord(char) <= _PRINTABLE_HIGH:
            if pending:
                out.append(_encode_run("".join(pending)))
                pending.clear()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    if pending:
        out.append(_encode_run("".join(pending)))
    return "".join(out)


def decode_mutf7(name: str) -> str:
    """Decode a folder name from the wire; raises ``Utf7Error`` when malformed."""
    out: list[str] = []
    index = 0
    while index < len(name):
        amp = name.find("&", index)
        if amp < 0:
            out.append(name[index:])
            break
        out.append(name[index:amp])
        end = name.find("-", amp + 1)
        if end < 0:
            raise Utf7Error(f"unterminated '&' sequence in folder name {name!r}")
        out.append("&" if end == amp + 1 else _decode_run(name[amp + 1 : end], name))
        index = end + 1
    return "".join(out)


def decode_mutf7_lenient(name: str) -> str:
    """Decode, or return the name unchanged if it is not valid modified UTF-7.

    Some servers list names in raw UTF-8 or with stray ``&``; showing them as they are beats
    failing the whole listing.
    """
    try:
        return decode_mutf7(name)
    except Utf7Error:
        return name


def _encode_run(run: str) -> str:
    data = base64.b64encode(run.encode("utf-16-be")).rstrip(b"=")
    return "&" + data.decode("ascii").replace("/", ",") + "-"


def _decode_run(run: str, name: str) -> str:
    data = run.replace(",", "/")
    data += "=" * (-len(data) % 4)
    try:
        return base64.b64decode(data, validate=True).decode("utf-16-be")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise Utf7Error(f"bad modified UTF-7 run {run!r} in folder name {name!r}") from exc
