"""Turn a YAML syntax error into a ConfigIssue on the line where the mistake is.

The parser notices most mistakes later than they are made: an unclosed quote or bracket is
found at the end of the file or on the next line. Its *context mark* says where the unclosed
construct opened, which is where the user has to look.
"""

from __future__ import annotations

from ruamel.yaml.error import MarkedYAMLError

from crawler.errors import ConfigIssue

# context of the parser's message -> what the user did wrong there
_OPENED_HERE = {
    "while scanning a quoted scalar": "this quoted string is never closed",
    "while parsing a flow sequence": "this '[' is never closed by ']'",
    "while parsing a flow mapping": "this '{' is never closed by '}'",
    "while scanning a simple key": "a key without ':' (or a line that should be indented)",
}


def yaml_issue(name: str, exc: MarkedYAMLError) -> ConfigIssue:
    """One issue for a syntax error, placed on the mistake's line."""
    problem = exc.problem or str(exc).splitlines()[0]
    noticed = exc.problem_mark.line + 1 if exc.problem_mark else None
    context = exc.context or ""
    for prefix, meaning in _OPENED_HERE.items():
        if context.startswith(prefix) and exc.context_mark is not None:
            line = exc.context_mark.line + 1
            detail = f"{problem} at line {noticed}" if noticed and noticed != line else problem
            return ConfigIssue(name, "", f"invalid YAML: {meaning} ({detail})", line)
    if "expected <block end>" in problem:
        problem = f"indentation does not match the lines above ({problem})"
    return ConfigIssue(name, "", f"invalid YAML: {problem}", noticed)
