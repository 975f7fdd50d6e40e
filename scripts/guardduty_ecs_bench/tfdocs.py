"""Minimal terraform-docs replacement: render a module's inputs and outputs as Markdown tables.

terraform-docs is a Go binary we cannot install here, so this reads the HCL with a small
scanner that understands just enough syntax (strings, templates, heredocs, comments, nested
blocks and bracketed multi-line expressions) to pull out variable and output attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

BEGIN_MARKER = "<!-- BEGIN_TF_DOCS -->"
END_MARKER = "<!-- END_TF_DOCS -->"

_HEREDOC_START = re.compile(r"<<(-?)([A-Za-z_][\w-]*)\n")
_IDENTIFIER = re.compile(r"[A-Za-z_][\w-]*")
# Backslash escapes of quoted HCL strings, plus the "$${" / "%%{" template escapes.
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))|\$\$\{|%%\{")
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


@dataclass(frozen=True)
class Variable:
    name: str
    type: str
    description: str
    default: str | None
    required: bool


@dataclass(frozen=True)
class Output:
    name: str
    description: str


@dataclass
class Block:
    """A block of HCL: its type, labels, attributes (name to source text) and nested blocks."""

    kind: str
    labels: list[str]
    attributes: dict[str, str] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


class _Scanner:
    """Cursor over one HCL file; every method advances `pos` past what it consumed."""

    def __init__(self, text: str, path: Path) -> None:
        self.text = text
        self.path = path
        self.pos = 0

    def error(self, message: str) -> NoReturn:
        line = self.text.count("\n", 0, self.pos) + 1
        raise ValueError(f"{self.path}:{line}: {message}")

    def at(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def skip_comment(self) -> bool:
        if self.at("#") or self.at("//"):
            end = self.text.find("\n", self.pos)  # the newline itself may end an attribute
            self.pos = len(self.text) if end < 0 else end
        elif self.at("/*"):
            end = self.text.find("*/", self.pos + 2)
            if end < 0:
                self.error("unterminated /* comment")
            self.pos = end + 2
        else:
            return False
        return True

    def skip_blank(self, newlines: bool) -> None:
        blank = " \t\r\n" if newlines else " \t\r"
        while self.pos < len(self.text):
            if self.text[self.pos] in blank:
                self.pos += 1
            elif not self.skip_comment():
                return

    def identifier(self) -> str:
        match = _IDENTIFIER.match(self.text, self.pos)
        if not match:
            self.error(f"expected an identifier, found {self.text[self.pos : self.pos + 10]!r}")
        self.pos = match.end()
        return match.group()

    def file_blocks(self) -> list[Block]:
        _, blocks = self.body()
        if self.pos < len(self.text):
            self.error("unexpected '}'")
        return blocks

    def body(self) -> tuple[dict[str, str], list[Block]]:
        """Parse attributes and blocks until EOF or the `}` closing the enclosing block."""
        attributes: dict[str, str] = {}
        blocks: list[Block] = []
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text) or self.at("}"):
                return attributes, blocks
            name = self.identifier()
            self.skip_blank(newlines=False)
            if self.at("=") and not self.at("=="):
                self.pos += 1
                attributes[name] = self.expression()
                if not attributes[name]:
                    self.error(f"missing value for attribute {name!r}")
                continue
            block = Block(name, [])
            while not self.at("{"):
                if self.at('"'):
                    block.labels.append(self.quoted()[1])
                else:
                    block.labels.append(self.identifier())
                self.skip_blank(newlines=False)
            self.pos += 1
            block.attributes, block.blocks = self.body()
            if not self.at("}"):
                self.error(f"unclosed block {name!r}")
            self.pos += 1
            blocks.append(block)

    def expression(self, multiline: bool = False) -> str:
        """Scan to a newline at bracket depth 0 (or an unmatched closer) and return the source
        text with comments dropped and whitespace outside string literals collapsed."""
        parts: list[str] = []
        depth = 0
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if (char == "\n" and depth == 0 and not multiline) or (char in ")]}" and depth == 0):
                break
            if char in " \t\r\n":
                self.pos += 1
                if parts and parts[-1] != " ":
                    parts.append(" ")
            elif self.skip_comment():
                if parts and parts[-1] != " ":
                    parts.append(" ")
            elif char == '"':
                parts.append(self.quoted()[0])
            elif _HEREDOC_START.match(self.text, self.pos):
                parts.append(self.heredoc())
            else:
                depth += (char in "([{") - (char in ")]}")
                parts.append(char)
                self.pos += 1
        return "".join(parts).strip()

    def quoted(self) -> tuple[str, str]:
        """Scan a quoted template; return its source and its value with the literal parts
        unescaped (${...} and %{...} may nest braces and quotes and are kept verbatim)."""
        start = self.pos
        self.pos += 1
        value: list[str] = []
        while self.pos < len(self.text):
            if self.at('"'):
                self.pos += 1
                return self.text[start : self.pos], "".join(value)
            if escape := _ESCAPE.match(self.text, self.pos):
                value.append(_unescape(escape))
                self.pos = escape.end()
            elif self.at("${") or self.at("%{"):
                begin = self.pos
                self.pos += 2
                self.expression(multiline=True)
                if not self.at("}"):
                    self.error("unterminated template interpolation")
                self.pos += 1
                value.append(self.text[begin : self.pos])
            elif self.at("\n"):
                break
            else:
                value.append(self.text[self.pos])
                self.pos += 1
        self.pos = start
        self.error("unterminated string")

    def heredoc(self) -> str:
        start = self.pos
        match = _HEREDOC_START.match(self.text, self.pos)
        assert match is not None  # callers check before calling
        line_start = match.end()
        while line_start <= len(self.text):
            newline = self.text.find("\n", line_start)
            line_end = len(self.text) if newline < 0 else newline
            if self.text[line_start:line_end].strip() == match[2]:
                self.pos = line_end
                return self.text[start:line_end]
            line_start = line_end + 1
        self.error(f"unterminated heredoc {match[2]!r}")


def _unescape(match: re.Match[str]) -> str:
    if match[1] or match[2]:
        return chr(int(match[1] or match[2], 16))
    if match[3] is not None:
        return _SIMPLE_ESCAPES.get(match[3], match[0])
    return match[0][1:]  # "$${" -> "${", "%%{" -> "%{"


def _literal(source: str, path: Path) -> str | None:
    """Decode `source` if it is exactly one string literal or heredoc, else return None."""
    scanner = _Scanner(source, path)
    if source.startswith('"'):
        value = scanner.quoted()[1]
        if scanner.pos == len(source):
            return value
    elif heredoc := _HEREDOC_START.match(source):
        scanner.heredoc()
        if scanner.pos == len(source):
            lines = source.split("\n")[1:-1]
            if heredoc[1]:  # <<- strips the smallest indentation of the non-blank lines
                indent = min((len(x) - len(x.lstrip(" \t")) for x in lines if x.strip()), default=0)
                lines = [line[indent:] for line in lines]
            return "\n".join(lines).replace("$${", "${").replace("%%{", "%{")
    return None


def _tf_files(module_dir: Path) -> list[Path]:
    # Terraform itself ignores hidden files and editor backups such as "#main.tf#".
    return sorted(
        path
        for path in module_dir.glob("*.tf")
        if path.is_file() and not path.name.startswith((".", "#"))
    )


def module_blocks(module_dir: Path) -> list[Block]:
    """The top-level blocks of the folder's own *.tf files, in file order."""
    blocks: list[Block] = []
    for path in _tf_files(module_dir):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        blocks += _Scanner(text, path).file_blocks()
    return blocks


def parse_module(module_dir: Path) -> tuple[list[Variable], list[Output]]:
    """Variables and outputs declared in the folder's own *.tf files, each sorted by name."""
    variables: list[Variable] = []
    outputs: list[Output] = []
    for path in _tf_files(module_dir):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        for block in _Scanner(text, path).file_blocks():
            if block.kind not in ("variable", "output") or len(block.labels) != 1:
                continue
            raw_description = block.attributes.get("description", '""')
            description = _literal(raw_description, path)
            description = raw_description if description is None else description
            if block.kind == "output":
                outputs.append(Output(block.labels[0], description))
                continue
            default = block.attributes.get("default")
            type_ = block.attributes.get("type", "any")  # terraform-docs shows untyped as `any`
            variables.append(
                Variable(block.labels[0], type_, description, default, default is None)
            )
    return sorted(variables, key=lambda v: v.name), sorted(outputs, key=lambda o: o.name)


def _cell(text: str) -> str:
    return text.strip().replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")


def _name_cell(kind: str, name: str) -> str:
    escaped = name.replace("_", "\\_")
    return f'<a name="{kind}_{name}"></a> [{escaped}](#{kind}\\_{escaped})'


def render_markdown(variables: list[Variable], outputs: list[Output]) -> str:
    """The "## Inputs" and "## Outputs" sections in terraform-docs' markdown table layout."""
    lines = ["## Inputs", ""]
    if not variables:
        lines.append("No inputs.")
    else:
        lines.append("| Name | Description | Type | Default | Required |")
        lines.append("|------|-------------|------|---------|:--------:|")
    for var in variables:
        default = "n/a" if var.default is None else f"`{_cell(var.default)}`"
        lines.append(
            f"| {_name_cell('input', var.name)} | {_cell(var.description) or 'n/a'} "
            f"| `{_cell(var.type)}` | {default} | {'yes' if var.required else 'no'} |"
        )
    lines += ["", "## Outputs", ""]
    if not outputs:
        lines.append("No outputs.")
    else:
        lines += ["| Name | Description |", "|------|-------------|"]
    for out in outputs:
        lines.append(f"| {_name_cell('output', out.name)} | {_cell(out.description) or 'n/a'} |")
    return "\n".join(lines) + "\n"


def update_readme(readme: Path, module_dir: Path, check: bool = False) -> bool:
    """Regenerate the text between the markers; True if the README changed (or would)."""
    text = readme.read_bytes().decode("utf-8")  # bytes keep the file's own line endings
    begin, end = text.find(BEGIN_MARKER), text.find(END_MARKER)
    if begin < 0 or end < 0:
        raise ValueError(f"{readme}: missing {BEGIN_MARKER} and/or {END_MARKER} marker")
    if end < begin or text.count(BEGIN_MARKER) > 1 or text.count(END_MARKER) > 1:
        raise ValueError(f"{readme}: expected one {BEGIN_MARKER} before one {END_MARKER}")
    tables = render_markdown(*parse_module(module_dir))
    updated = f"{text[: begin + len(BEGIN_MARKER)]}\n{tables}{text[end:]}"
    if updated != text and not check:
        readme.write_bytes(updated.encode("utf-8"))
    return updated != text


def _has_markers(readme: Path) -> bool:
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    return BEGIN_MARKER in text and END_MARKER in text


def find_module_dirs(root: Path) -> list[Path]:
    """`root` plus each modules/* and examples/* folder with .tf files and a marked README."""
    found = [root]
    for group in ("modules", "examples"):
        base = root / group
        # Hidden folders (".terraform" and friends) hold downloaded copies, never sources.
        children = sorted(base.iterdir()) if base.is_dir() else []
        visible = [child for child in children if child.is_dir() and child.name[0] != "."]
        found += [d for d in visible if _tf_files(d) and _has_markers(d / "README.md")]
    return found
