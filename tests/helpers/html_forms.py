"""What a browser would submit from a rendered form: every field's current value, read from the HTML."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, marker: str):
        super().__init__(convert_charrefs=True)
        self.marker, self.forms, self.current = marker, [], None
        self.select, self.textarea = None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {"fields": [], "action": a.get("action"), "html_attrs": a}
            self.forms.append(self.current)
        if self.current is None:
            return
        fields = self.current["fields"]
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self.select = {"name": a["name"], "chosen": [], "first": None}
        elif tag == "option" and self.select is not None:
            if self.select["first"] is None:
                self.select["first"] = a.get("value", "")
            if "selected" in a:
                self.select["chosen"].append(a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            for value in chosen:
                self.current["fields"].append((self.select["name"], value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.current["fields"].append(tuple(self.textarea))
            self.textarea = None
        elif tag == "form":
            self.current = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data.lstrip("\n") if not self.textarea[1] else data


def form_data(html: str, containing: str = 'name="version"') -> dict[str, list[str]]:
    """The fields of the first form whose markup contains `containing`, as {name: [values]}."""
    reader = _FormReader(containing)
    reader.feed(html)
    for form, chunk in zip(reader.forms, html.split("<form")[1:]):
        if containing in chunk.split("</form>")[0]:
            data: dict[str, list[str]] = {}
            for name, value in form["fields"]:
                data.setdefault(name, []).append(value)
            return data
    raise AssertionError(f"no form containing {containing!r}")
