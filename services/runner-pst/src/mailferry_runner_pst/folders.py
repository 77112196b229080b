r"""Source folder (readpst directory / zip directory) -> destination folder and special use (pure).

Rules, in order:
1. The store's own top directory is already gone (paths here are relative to it); items in
   the store root go to INBOX.
2. A top-level folder whose name is a known special folder in any of the listed languages gets
   that role (RFC 6154 attribute, or ``INBOX``); the uploader later resolves a role to the
   destination's actual folder. Several source folders may share a role ("Sent Items" and
   "Posta inviata" both go to the destination's Sent folder).
3. Nested folders keep their names below the mapped parent (``Inbox/sub1`` -> ``INBOX/sub1``);
   the destination's hierarchy separator is applied later.
4. The job/mailbox folder map wins over all of this: an exact match on the source path first,
   else the longest matching parent path, with the rest of the path appended.
Names arrive as readpst wrote them: it replaced ``/``, ``\\`` and ``:`` with ``_``.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from mailferry_imap.mapping import matches

INBOX = "INBOX"
SENT = "\\Sent"
TRASH = "\\Trash"
JUNK = "\\Junk"
DRAFTS = "\\Drafts"
ARCHIVE = "\\Archive"

CANONICAL_NAME: Mapping[str, str] = {
    INBOX: "INBOX",
    SENT: "Sent",
    TRASH: "Trash",
    JUNK: "Junk",
    DRAFTS: "Drafts",
    ARCHIVE: "Archive",
}
"""The folder name used when the destination has no folder with that special use."""

_NAMES: Mapping[str, tuple[str, ...]] = {
    INBOX: (
        "Inbox", "Posteingang", "Caixa de Entrada", "Bandeja de entrada", "Boîte de réception",
        "Posta in arrivo", "受信トレイ", "Входящие", "Postvak IN", "Skrzynka odbiorcza",
        "Inkorgen", "Indbakke", "Innboks", "Saapuneet", "Doručená pošta",
        "Beérkezett üzenetek", "Gelen Kutusu", "收件箱", "收件匣", "받은 편지함",
        "Εισερχόμενα", "Vhodna pošta",
    ),
    SENT: (
        "Sent Items", "Sent Messages", "Sent", "Sent Mail", "Gesendete Elemente",
        "Gesendete Objekte", "Itens Enviados", "Elementos enviados", "Éléments envoyés",
        "Posta inviata", "送信済みアイテム", "Отправленные", "Verzonden items",
        "Elementy wysłane", "Skickat", "Skickade objekt", "Sendt post", "Sendte elementer",
        "Lähetetyt", "Odeslaná pošta", "Elküldött elemek", "Gönderilmiş Öğeler",
        "已发送邮件", "寄件備份", "보낸 편지함", "Απεσταλμένα",
    ),
    TRASH: (
        "Deleted Items", "Deleted Messages", "Trash", "Gelöschte Elemente",
        "Gelöschte Objekte", "Itens Excluídos", "Itens Eliminados", "Elementos eliminados",
        "Éléments supprimés", "Posta eliminata", "削除済みアイテム", "Удаленные",
        "Удалённые", "Verwijderde items", "Elementy usunięte", "Borttaget",
        "Borttagna objekt", "Slettet post", "Slettede elementer", "Poistetut",
        "Odstraněná pošta", "Törölt elemek", "Silinmiş Öğeler", "已删除邮件", "刪除的郵件",
        "지운 편지함", "Διαγραμμένα",
    ),
    JUNK: (
        "Junk E-mail", "Junk Email", "Junk", "Spam", "Junk-E-Mail", "Lixo Eletrônico",
        "Lixo Electrónico", "Correo no deseado", "Courrier indésirable", "Posta indesiderata",
        "迷惑メール", "Нежелательная почта", "Ongewenste e-mail", "Wiadomości-śmieci",
        "Skräppost", "Uønsket e-post", "Roskaposti", "Nevyžádaná pošta", "Levélszemét",
        "Gereksiz E-posta", "垃圾邮件", "垃圾郵件", "정크 메일", "Ανεπιθύμητη αλληλογραφία",
    ),
    DRAFTS: (
        "Drafts", "Entwürfe", "Rascunhos", "Borradores", "Brouillons", "Bozze", "下書き",
        "Черновики", "Concepten", "Wersje robocze", "Utkast", "Kladder", "Luonnokset",
        "Koncepty", "Piszkozatok", "Taslaklar", "草稿", "임시 보관함", "Πρόχειρα",
    ),
    ARCHIVE: ("Archive", "Archiv", "Arquivo", "Archivo", "Archives", "Archivio", "アーカイブ"),
}  # fmt: skip

_ROLE_OF_NAME: Mapping[str, str] = {
    name.casefold(): role for role, names in _NAMES.items() for name in names
}


@dataclass(frozen=True)
class FolderTarget:
    """Where one source folder goes. ``excluded`` says why it is not imported at all."""

    source: tuple[str, ...]
    target: tuple[str, ...]
    special_use: str | None = None
    excluded: str | None = None

    @property
    def target_path(self) -> str:
        return "/".join(self.target)


def special_use_of(name: str) -> str | None:
    """The role of a top-level folder name in any listed language, else None."""
    return _ROLE_OF_NAME.get(name.casefold())


def map_folder(
    source: tuple[str, ...],
    folder_map: Mapping[str, str] | None = None,
    *,
    include_deleted: bool = False,
) -> FolderTarget:
    """Map one source folder path (relative to the store root) to its destination."""
    mapped = _from_folder_map(source, folder_map or {})
    if mapped is not None:
        return mapped
    if not source:
        return FolderTarget(source, (CANONICAL_NAME[INBOX],), INBOX)
    role = special_use_of(source[0])
    if role is None:
        return FolderTarget(source, source)
    target = (CANONICAL_NAME[role], *source[1:])
    excluded = None
    if role == TRASH and not include_deleted:
        excluded = "deleted items were not requested"
    return FolderTarget(source, target, role if len(source) == 1 else None, excluded)


def _from_folder_map(source: tuple[str, ...], folder_map: Mapping[str, str]) -> FolderTarget | None:
    for cut in range(len(source), 0, -1):
        mapped = folder_map.get("/".join(source[:cut]))
        if mapped is None:
            continue
        target = (*(p for p in mapped.split("/") if p), *source[cut:])
        if not target:
            return None
        inbox = target[0].casefold() == "inbox"
        if inbox:
            target = (CANONICAL_NAME[INBOX], *target[1:])
        return FolderTarget(source, target, INBOX if inbox and len(target) == 1 else None)
    return None


def folder_filter(
    exclude: Sequence[str], include: Sequence[str]
) -> Callable[[tuple[str, ...]], bool]:
    """The job's exclude/include patterns as a test on source folder paths (``INBOX`` = root)."""

    def wanted(source: tuple[str, ...]) -> bool:
        path = "/".join(source) or INBOX
        if any(matches(pattern, path, path) for pattern in exclude):
            return False
        return not include or any(matches(pattern, path, path) for pattern in include)

    return wanted
