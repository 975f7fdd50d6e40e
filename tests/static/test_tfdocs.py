"""Tests of the pure-Python terraform-docs replacement (scripts/guardduty_ecs/tfdocs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardduty_ecs_bench.tfdocs import (
    BEGIN_MARKER,
    END_MARKER,
    Output,
    Variable,
    find_module_dirs,
    parse_module,
    render_markdown,
    update_readme,
)

pytestmark = pytest.mark.static

VARIABLES_TF = r"""
# A comment with { unbalanced braces and "quotes
/* block comment } with { braces
   over lines */
variable "runtime_monitoring" {
  description = <<-EOT
    Runtime Monitoring settings:
      - enabled: on or off.
    Literal $${not_interpolated}.
  EOT
  type = object({
    enabled    = optional(bool, true) # trailing { comment
    agent_mode = optional(string, "auto")
  })
  default = {}

  validation {
    condition     = contains(["auto", "off"], var.runtime_monitoring.agent_mode)
    error_message = "The agent_mode must be \"auto\" or \"off\"."
  }
}

variable "name_prefix" {
  type        = string // a { comment
  description = "Prefix with ${join("}", ["{", "\"x\""])} inside, a \"quote\" and a tab\t."
}

variable "tags" {
  description = "Tags | for resources."
  type        = map(string)
  default = {
    Team    = "security"
    Project = "guardduty"
  }
}

variable "untyped" { default = null }
"""

OUTPUTS_TF = """
output "detector_id" {
  description = <<EOF
The detector ID.
Second line.
EOF
  value = aws_guardduty_detector.this[0].id
}

output "plain" {
  value = { for k, v in var.tags : k => "${v}}" }
}
"""


@pytest.fixture
def module_dir(tmp_path: Path) -> Path:
    (tmp_path / "variables.tf").write_text(VARIABLES_TF, encoding="utf-8")
    (tmp_path / "outputs.tf").write_text(OUTPUTS_TF, encoding="utf-8")
    (tmp_path / "main.tf").write_text('locals {\n  a = "}"\n}\n', encoding="utf-8")
    return tmp_path


def by_name(module_dir: Path) -> dict[str, Variable]:
    return {variable.name: variable for variable in parse_module(module_dir)[0]}


def test_sorted_by_name(module_dir: Path) -> None:
    variables, outputs = parse_module(module_dir)
    assert [v.name for v in variables] == ["name_prefix", "runtime_monitoring", "tags", "untyped"]
    assert [o.name for o in outputs] == ["detector_id", "plain"]


def test_heredoc_descriptions(module_dir: Path) -> None:
    assert by_name(module_dir)["runtime_monitoring"].description == (
        "Runtime Monitoring settings:\n  - enabled: on or off.\nLiteral ${not_interpolated}."
    )
    outputs = {output.name: output for output in parse_module(module_dir)[1]}
    assert outputs["detector_id"].description == "The detector ID.\nSecond line."
    assert outputs["plain"].description == ""


def test_interpolation_with_braces_and_quotes(module_dir: Path) -> None:
    assert by_name(module_dir)["name_prefix"].description == (
        'Prefix with ${join("}", ["{", "\\"x\\""])} inside, a "quote" and a tab\t.'
    )


def test_validation_block_skipped(module_dir: Path) -> None:
    rendered = render_markdown(*parse_module(module_dir))
    assert "agent_mode must be" not in rendered
    assert "contains(" not in rendered
    assert by_name(module_dir)["runtime_monitoring"].default == "{}"


def test_multiline_object_type_normalised(module_dir: Path) -> None:
    assert by_name(module_dir)["runtime_monitoring"].type == (
        'object({ enabled = optional(bool, true) agent_mode = optional(string, "auto") })'
    )


def test_multiline_map_default(module_dir: Path) -> None:
    tags = by_name(module_dir)["tags"]
    assert tags.default == '{ Team = "security" Project = "guardduty" }'
    assert not tags.required


def test_required_and_untyped_variables(module_dir: Path) -> None:
    variables = by_name(module_dir)
    assert variables["name_prefix"] == Variable(
        name="name_prefix",
        type="string",
        description=variables["name_prefix"].description,
        default=None,
        required=True,
    )
    assert variables["untyped"].type == "any"
    assert variables["untyped"].default == "null"
    assert not variables["untyped"].required


def test_comments_with_braces_ignored(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        '# variable "fake" {\n'
        '/* } variable "also_fake" { */\n'
        'variable "real" {\n'
        "  type = list(string) # ]) }\n"
        "  default = [\n"
        '    "a", # } comment inside a list\n'
        '    "b",\n'
        "  ]\n"
        "}\n",
        encoding="utf-8",
    )
    assert parse_module(tmp_path) == (
        [Variable("real", "list(string)", "", '[ "a", "b", ]', False)],
        [],
    )


def test_escaping_of_underscore_and_pipe() -> None:
    rendered = render_markdown(
        [Variable("a_b", "string", "x | y\nz", '"p|q"', False)],
        [Output("out_put", "o|p")],
    )
    assert (
        '| <a name="input_a_b"></a> [a\\_b](#input\\_a\\_b) | x \\| y<br>z '
        '| `string` | `"p\\|q"` | no |'
    ) in rendered
    assert '| <a name="output_out_put"></a> [out\\_put](#output\\_out\\_put) | o\\|p |' in rendered


def test_render_layout() -> None:
    rendered = render_markdown(
        [Variable("create", "bool", "Whether to create anything.", "true", False)],
        [Output("detector_id", "The detector ID.")],
    )
    assert rendered == (
        "## Inputs\n\n"
        "| Name | Description | Type | Default | Required |\n"
        "|------|-------------|------|---------|:--------:|\n"
        '| <a name="input_create"></a> [create](#input\\_create) | Whether to create anything. '
        "| `bool` | `true` | no |\n\n"
        "## Outputs\n\n"
        "| Name | Description |\n"
        "|------|-------------|\n"
        '| <a name="output_detector_id"></a> [detector\\_id](#output\\_detector\\_id) '
        "| The detector ID. |\n"
    )
    assert render_markdown([], []) == "## Inputs\n\nNo inputs.\n\n## Outputs\n\nNo outputs.\n"
    required = render_markdown([Variable("x", "string", "", None, True)], [])
    assert "| n/a | `string` | n/a | yes |" in required


def test_update_readme_round_trip_and_check(module_dir: Path) -> None:
    readme = module_dir / "README.md"
    original = f"# Title\n\n{BEGIN_MARKER}\nstale\n{END_MARKER}\n\nFooter.\n"
    readme.write_text(original, encoding="utf-8")

    assert update_readme(readme, module_dir, check=True) is True
    assert readme.read_text(encoding="utf-8") == original  # check mode never writes

    assert update_readme(readme, module_dir) is True
    expected_tables = render_markdown(*parse_module(module_dir))
    assert readme.read_text(encoding="utf-8") == (
        f"# Title\n\n{BEGIN_MARKER}\n{expected_tables}{END_MARKER}\n\nFooter.\n"
    )

    assert update_readme(readme, module_dir) is False
    assert update_readme(readme, module_dir, check=True) is False


@pytest.mark.parametrize(
    "content",
    ["# No markers\n", f"{BEGIN_MARKER}\nonly begin\n", f"{END_MARKER}\n{BEGIN_MARKER}\n"],
)
def test_missing_or_misordered_markers(module_dir: Path, content: str) -> None:
    readme = module_dir / "README.md"
    readme.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=r"README\.md"):
        update_readme(readme, module_dir)
    assert readme.read_text(encoding="utf-8") == content


def test_find_module_dirs(tmp_path: Path) -> None:
    marked = f"{BEGIN_MARKER}\n{END_MARKER}\n"
    for folder, readme in [
        ("modules/documented", marked),
        ("modules/unmarked", "# nothing\n"),
        ("examples/basic", marked),
        ("modules/.terraform", marked),
    ]:
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "main.tf").write_text("", encoding="utf-8")
        (tmp_path / folder / "README.md").write_text(readme, encoding="utf-8")
    (tmp_path / "examples/no_tf").mkdir()
    (tmp_path / "examples/no_tf/README.md").write_text(marked, encoding="utf-8")

    assert find_module_dirs(tmp_path) == [
        tmp_path,
        tmp_path / "modules/documented",
        tmp_path / "examples/basic",
    ]


def test_syntax_error_names_file(tmp_path: Path) -> None:
    (tmp_path / "broken.tf").write_text('variable "x" {\n  description = "open\n}\n')
    with pytest.raises(ValueError, match=r"broken\.tf:2: unterminated string"):
        parse_module(tmp_path)
