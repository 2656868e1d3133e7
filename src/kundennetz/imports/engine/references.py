"""References an import resolves per chunk: people by name or e-mail, catalogue entries by name."""

from __future__ import annotations

from collections import defaultdict

from kundennetz.core.models import User
from kundennetz.domain.importing import normalise_key


# --------------------------------------------------------------------------------------------------
# References: users, catalogues, accounts
# --------------------------------------------------------------------------------------------------


class People:
    """Users by any name a file may use for them: user name, e-mail, "First Last", "Last, First"."""

    def __init__(self, queryset):
        self.by_name: dict[str, set] = defaultdict(set)
        self.users = {}
        for user in queryset:
            self.users[user.pk] = user
            for name in (user.username, user.email, f"{user.first_name} {user.last_name}",
                         f"{user.last_name}, {user.first_name}", f"{user.last_name} {user.first_name}"):
                key = normalise_key(name)
                if key and key != ",":
                    self.by_name[key].add(user.pk)

    def find(self, text: str) -> tuple[User | None, int]:
        """The user `text` names and how many it could mean (0, 1 or more)."""
        pks = self.by_name.get(normalise_key(text), set())
        if len(pks) == 1:
            return self.users[next(iter(pks))], 1
        return None, len(pks)


class Catalogue:
    """Records of a small table by code and by German and English name (plus synonyms)."""

    def __init__(self, queryset, synonyms: dict[str, str] | None = None):
        self.by_name = {}
        by_code = {}
        for obj in queryset:
            code = getattr(obj, "code", None)
            if code:
                by_code[code] = obj
            for name in (code, obj.name_de, obj.name_en, str(obj.pk) if code is None else None):
                if name:
                    self.by_name.setdefault(normalise_key(name), obj)
        for word, code in (synonyms or {}).items():
            if code in by_code:
                self.by_name.setdefault(word, by_code[code])

    def find(self, text: str):
        return self.by_name.get(normalise_key(text))
