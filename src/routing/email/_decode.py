"""Text out of mail bytes: charsets with fallbacks, RFC 2047 encoded words, header unfolding.

Nothing here raises on bad input. Every guess is reported through a `Warn` callback with a
stable code (``mail/bad-charset``, ``mail/defect``) and one human line; the text is always
returned, with undecodable bytes replaced by U+FFFD only when no charset fits them.
"""

from __future__ import annotations

import binascii
import codecs
import re
from collections.abc import Callable, Sequence
from typing import Final

__all__ = ["Warn", "clean_text", "decode_bytes", "decode_header_value", "normalize_charset"]

#: Reports one warning: (code, message).
Warn = Callable[[str, str], None]

# Names Python does not know, or that mean "no charset was declared".
_UNDECLARED: Final = frozenset(
    {"", "unknown-8bit", "x-unknown", "unknown", "x-user-defined", "default", "none"}
)
_RENAMED: Final = {
    "x-sjis": "cp932",
    "sjis": "cp932",
    "x-mac-roman": "mac_roman",
    "x-gbk": "gb18030",
    "ks_c_5601": "cp949",
    "x-euc-jp": "euc_jp",
    "x-euc-tw": "big5hkscs",
}
# Declared charsets replaced by the superset mail clients really use (as web browsers do):
# mail labelled gb2312 is routinely GBK, big5 is Big5-HKSCS, shift_jis is Windows-31J, ...
_SUPERSETS: Final = {
    "iso8859-1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "iso2022_jp": "iso2022_jp_2",
}
# Charsets often mislabelled as one another: when text is not valid in the declared one,
# these are tried (after UTF-8) before bytes are replaced. Japanese mail labelled
# iso-2022-jp is often EUC-JP or Shift_JIS.
_SIBLINGS: Final = {
    "iso2022_jp_2": ("euc_jp", "cp932"),
    "euc_jp": ("cp932", "iso2022_jp_2"),
    "cp932": ("euc_jp", "iso2022_jp_2"),
    "gb18030": ("big5hkscs",),
    "big5hkscs": ("gb18030",),
    "cp949": ("iso2022_kr",),
    "iso2022_kr": ("cp949",),
}
# Decoded with these, a byte string that fails is not retried as UTF-8 (it would "succeed"
# with NULs in every other character).
_WIDE: Final = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})

_ENCODED_WORD: Final = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_FOLD: Final = re.compile(r"\r?\n(?=[ \t])")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_SPACES: Final = re.compile(r"[ \t]+")


def normalize_charset(charset: str | None) -> str | None:
    """The Python codec for a declared MIME charset; None when none is declared.

    Unknown names come back as given (lower case) so the caller can report them; known
    ones become the codec's own name, widened to the superset mailers really use.
    """
    if charset is None:
        return None
    name = charset.strip().strip("\"'").lower()
    name = name.split("*", 1)[0]  # RFC 2231 language suffix: utf-8*en
    if name in _UNDECLARED:
        return None
    name = _RENAMED.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError):
        return name
    if codec == "ascii":
        return None  # 8-bit text labelled us-ascii is treated as undeclared
    return _SUPERSETS.get(codec, codec)


def _is_text_codec(codec: str) -> bool:
    # Not b"": CPython decodes empty bytes without looking the codec up. "hex" and "base64"
    # are codecs but not text encodings (LookupError); "undefined" always fails.
    try:
        b"a".decode(codec, "replace")
    except (LookupError, ValueError, UnicodeError):
        return False
    return True


def decode_bytes(
    data: bytes,
    charset: str | None,
    what: str,
    warn: Warn,
    *,
    guesses: Sequence[str] = (),
) -> str:
    """Decode `data` declared as `charset`, never failing.

    - a known charset that decodes cleanly: that text;
    - bytes that are not valid in the declared charset: UTF-8 if they are valid UTF-8, else
      a charset often mislabelled as the declared one (EUC-JP for iso-2022-jp, ...), else
      the declared charset with the bad bytes replaced (a ``mail/bad-charset`` warning);
    - an unknown charset (``mail/bad-charset``) or none declared: ASCII, else UTF-8, else
      each of `guesses` (e.g. the charset the message declares elsewhere), else Windows-1252.
      Only a guess other than UTF-8 is reported when nothing was declared.

    `what` names the place in warnings ("the body", "header 'Subject'").
    """
    codec = normalize_charset(charset)
    if codec is not None and not _is_text_codec(codec):
        shown = (charset or "").strip()
        used = _guess(data, guesses)
        warn("mail/bad-charset", f"{what}: unknown charset {shown!r}; decoded as {used}")
        return _decode_with(data, used)
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError as exc:
            where = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
            retries = () if codec in _WIDE else ("utf-8", *_SIBLINGS.get(codec, ()))
            for other in retries:
                if other == codec:
                    continue
                try:
                    text = data.decode(other)
                except UnicodeDecodeError:
                    continue
                warn("mail/bad-charset", f"{what}: not valid {codec} ({where}); decoded as {other}")
                return text
            warn(
                "mail/bad-charset",
                f"{what}: not valid {codec} ({where}); undecodable bytes replaced",
            )
            return data.decode(codec, errors="replace")
    if data.isascii():
        return data.decode("ascii")
    used = _guess(data, guesses)
    if used in guesses:
        basis = f"{used}, the charset the message declares for its text"
        warn("mail/bad-charset", f"{what}: 8-bit text without a charset; decoded as {basis}")
    elif used != "utf-8":
        warn("mail/bad-charset", f"{what}: 8-bit text without a charset; decoded as {used}")
    return _decode_with(data, used)


def _guess(data: bytes, guesses: Sequence[str]) -> str:
    """The first codec of utf-8, `guesses`, cp1252 that decodes `data` (cp1252 always does)."""
    for codec in ("utf-8", *guesses):
        try:
            data.decode(codec)
        except (LookupError, ValueError):  # not a text codec, or not valid in it
            continue
        return codec
    return "cp1252"


def _decode_with(data: bytes, codec: str) -> str:
    # cp1252 leaves five bytes undefined; replace them rather than fail.
    return data.decode(codec, errors="replace")


def decode_header_value(raw: str, what: str, warn: Warn, *, guesses: Sequence[str] = ()) -> str:
    """One header's value as readable text: unfolded, raw 8-bit and RFC 2047 words decoded.

    `raw` is the value as the stdlib parser keeps it (8-bit bytes as surrogate escapes).
    Control characters become spaces, runs of blanks one space; the result is stripped.
    """
    text = _FOLD.sub("", raw)
    data = text.encode("utf-8", "surrogateescape")
    if not data.isascii():
        text = decode_bytes(data, None, what, warn, guesses=guesses)
    if "=?" in text:
        text = _decode_words(text, what, warn)
    return clean_text(_SPACES.sub(" ", _CONTROL.sub(" ", text)).strip())


def _decode_words(text: str, what: str, warn: Warn) -> str:
    """Decode RFC 2047 encoded words; blanks between two encoded words are dropped.

    Adjacent words in the same charset are joined before decoding, so a multi-byte
    character split across two words (common in CJK subjects) comes out whole.
    """
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    position = 0
    after_word = False

    def flush() -> None:
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset, what, warn))
            pending.clear()

    for match in _ENCODED_WORD.finditer(text):
        gap = text[position : match.start()]
        if gap and not (after_word and gap.isspace()):
            flush()
            out.append(gap)
        charset, encoding, payload = match.groups()
        data = _word_bytes(encoding, payload)
        if data is None:
            flush()
            warn("mail/defect", f"{what}: malformed encoded word {match.group(0)[:60]!r}; kept")
            out.append(match.group(0))
        else:
            name = charset.split("*", 1)[0].lower()
            if pending and name != pending_charset:
                flush()
            pending.append(data)
            pending_charset = name
        after_word = data is not None
        position = match.end()
    flush()
    out.append(text[position:])
    return "".join(out)


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    """The bytes an encoded word's payload stands for; None when it is malformed."""
    if not payload.isascii():
        return None
    if encoding in "bB":
        data = payload.encode("ascii")
        data += b"=" * (-len(data) % 4)
        try:
            return binascii.a2b_base64(data, strict_mode=True)
        except binascii.Error:
            return None
    return binascii.a2b_qp(payload.encode("ascii"), header=True)


def clean_text(text: str) -> str:
    """`text` with any lone surrogate (from a lax codec such as UTF-7) replaced by U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text
