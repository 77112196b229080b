"""Folder roles: which folder is Sent, Trash, Junk, Drafts or Archive (pure).

A folder's role comes from its RFC 6154 special-use attribute when the server gives one, else
from its (top-level) name, looked up in the table below: the names Outlook/Exchange, Gmail,
Apple Mail, Thunderbird and common webmails use in the languages we meet most. Lookups ignore
case and runs of whitespace.
"""

from collections.abc import Iterable

ROLE_BY_SPECIAL_USE = {
    "\\sent": "sent",
    "\\trash": "trash",
    "\\junk": "junk",
    "\\drafts": "drafts",
    "\\archive": "archive",
}

ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "sent": (
        "Sent", "Sent Items", "Sent Messages", "Sent Mail", "Sent-Mail", "Sentmail",
        "Gesendet", "Gesendete Elemente", "Gesendete Objekte", "Gesendete Nachrichten",
        "Enviados", "Itens Enviados", "Elementos enviados", "Mensajes enviados",
        "Correo enviado", "Envoyés", "Éléments envoyés", "Messages envoyés", "Posta inviata",
        "Inviati", "Elementi inviati", "Verzonden", "Verzonden items", "Verzonden berichten",
        "Skickat", "Skickade objekt", "Skickade meddelanden", "Sendt", "Sendte elementer",
        "Lähetetyt", "Lähetetyt viestit", "Wysłane", "Elementy wysłane", "Odeslaná pošta",
        "Odeslané", "Elküldött elemek", "Trimise", "Gönderilmiş Öğeler", "Gönderilenler",
        "Отправленные", "Отправленные элементы", "Надіслані", "Відправлені",
        "送信済みアイテム", "已发送", "已发送邮件", "寄件備份", "보낸 편지함",
    ),
    "trash": (
        "Trash", "Deleted Items", "Deleted Messages", "Deleted", "Bin", "Papierkorb",
        "Gelöschte Elemente", "Gelöschte Objekte", "Corbeille", "Éléments supprimés",
        "Papelera", "Elementos eliminados", "Lixeira", "Itens Excluídos", "Lixo", "Cestino",
        "Posta eliminata", "Elementi eliminati", "Prullenbak", "Verwijderde items",
        "Papperskorgen", "Borttagna objekt", "Papirkurv", "Slettede elementer", "Roskakori",
        "Poistetut", "Kosz", "Elementy usunięte", "Koš", "Odstraněná pošta", "Törölt elemek",
        "Çöp Kutusu", "Silinmiş Öğeler", "Удаленные", "Удалённые", "Корзина",
        "Удаленные элементы", "Кошик", "削除済みアイテム", "已删除", "已删除邮件", "휴지통",
    ),
    "junk": (
        "Junk", "Junk E-mail", "Junk Email", "Junk Mail", "Spam", "Bulk Mail", "Junk-E-Mail",
        "Spamverdacht", "Courrier indésirable", "Pourriel", "Indésirables",
        "Correo no deseado", "Lixo Eletrônico", "E-mail de Lixo", "Posta indesiderata",
        "Ongewenste e-mail", "Skräppost", "Uønsket e-post", "Roskaposti", "Wiadomości-śmieci",
        "Nevyžádaná pošta", "Levélszemét", "İstenmeyen E-posta", "Спам",
        "Нежелательная почта", "迷惑メール", "垃圾邮件", "스팸",
    ),
    "drafts": (
        "Drafts", "Draft", "Entwürfe", "Brouillons", "Borradores", "Rascunhos", "Bozze",
        "Concepten", "Utkast", "Kladder", "Luonnokset", "Kopie robocze", "Koncepty",
        "Piszkozatok", "Taslaklar", "Черновики", "Чернетки", "下書き", "草稿", "임시 보관함",
    ),
    "archive": (
        "Archive", "Archives", "Archiv", "Archivo", "Arquivo", "Archivio", "Archief", "Arkiv",
        "Arkisto", "Archiwum", "Архив",
    ),
}  # fmt: skip
"""Known names per role, most common first (that order breaks ties at the destination)."""


INBOX_NAMES = (
    "Inbox", "Posteingang", "Boîte de réception", "Bandeja de entrada", "Caixa de entrada",
    "Posta in arrivo", "Postvak IN", "Inkorgen", "Indbakke", "Innboks", "Saapuneet",
    "Odebrane", "Doručená pošta", "Beérkezett üzenetek", "Gelen Kutusu", "Входящие",
    "Вхідні", "受信トレイ", "收件箱", "받은 편지함",
)  # fmt: skip
"""Localised names of the inbox, as local exports (PST, mbox) name it."""


def normalise_name(name: str) -> str:
    """Case- and whitespace-insensitive form of a folder name."""
    return " ".join(name.split()).casefold()


_INBOX = {normalise_name(name) for name in INBOX_NAMES}
_ROLE_BY_NAME = {
    normalise_name(name): (role, rank)
    for role, names in ROLE_NAMES.items()
    for rank, name in enumerate(names)
}


def is_inbox_name(name: str) -> bool:
    """Whether a (local) folder name means the inbox."""
    return normalise_name(name) in _INBOX


def role_of_name(name: str) -> str | None:
    """The role a folder name suggests, if any."""
    found = _ROLE_BY_NAME.get(normalise_name(name))
    return found[0] if found else None


def role_of(special_use: str | None, name: str) -> str | None:
    """A folder's role: its special-use attribute first, else its name."""
    if special_use is not None and special_use in ROLE_BY_SPECIAL_USE:
        return ROLE_BY_SPECIAL_USE[special_use]
    return role_of_name(name)


def pick_by_name(role: str, names: Iterable[str]) -> str | None:
    """Among candidate top-level names, the best-known one for ``role``."""
    ranked = [
        (_ROLE_BY_NAME[normalise_name(name)][1], name)
        for name in names
        if _ROLE_BY_NAME.get(normalise_name(name), ("", 0))[0] == role
    ]
    return min(ranked)[1] if ranked else None
