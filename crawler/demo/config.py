"""Write the demo's temporary config: four sources on the local demo site, three rules."""

from __future__ import annotations

from pathlib import Path

SETTINGS = """\
data_dir: data
timezone: Europe/London
crawl:
  user_agent: "presswatch/{{version}} demo (+mailto:demo@example.org)"
  download_delay: 0s
  autothrottle: false
  retries: 1
  timeout: 10s
  parallel_sources: 2
mail:
  transport: outbox
  from: "presswatch demo <presswatch@example.org>"
recipients:
  - id: analyst
    address: analyst@example.org
    name: Demo Analyst
"""

SOURCES = """\
sources:
  - id: freedonia-mfa
    name: Freedonia MFA press releases
    kind: listing
    urls: ["{base}/freedonia/press-releases"]
    selectors: {{item: ".views-row", link: "h3 a", title: "h3 a", date: ".date"}}
    pagination: {{next: "a.next", max_pages: 3}}
    languages: [en]
    allow_private_addresses: true
  - id: ruritania-mfa
    name: МИД Руритании
    kind: listing
    urls: ["{base}/ruritania/news"]
    selectors: {{item: ".views-row", link: "h3 a", date: ".date"}}
    pagination: {{url_pattern: "{base}/ruritania/news?page={{page}}", max_pages: 2}}
    languages: [ru]
    allow_private_addresses: true
  - id: sylvania-fo
    name: Sylvania Foreign Office
    kind: feed
    urls: ["{base}/sylvania/feed.xml"]
    follow: true
    languages: [en]
    allow_private_addresses: true
  - id: demo-wire
    name: Demo Wire
    kind: feed
    urls: ["{base}/wire/feed.xml"]
    languages: [en]
    allow_private_addresses: true
"""

RULES = """\
rules:
  - id: strategic-stability
    name: Strategic stability
    query: '"strategic stability" OR "стратегическая стабильность" OR "战略稳定"'
    mode: immediate
    priority: 10
  - id: arms-control
    name: Arms control
    query: '("arms control" OR disarmament OR разоружение OR "контроль над вооружениями")
      AND (Pakistan OR India OR Russia OR China OR Пакистан OR Индия OR Россия OR Китай)'
    priority: 20
  - id: nuclear-tests
    name: Nuclear tests
    query: '("nuclear test" OR "nuclear tests" OR "ядерное испытание") NOT cricket'
    priority: 30
"""


def write_demo_config(directory: Path, base_url: str) -> Path:
    """Write presswatch.yaml, sources/demo.yaml and rules/demo.yaml under `directory`."""
    (directory / "sources").mkdir(parents=True, exist_ok=True)
    (directory / "rules").mkdir(parents=True, exist_ok=True)
    (directory / "presswatch.yaml").write_text(SETTINGS.format(), encoding="utf-8")
    sources = SOURCES.format(base=base_url)
    (directory / "sources" / "demo.yaml").write_text(sources, encoding="utf-8")
    (directory / "rules" / "demo.yaml").write_text(RULES, encoding="utf-8")
    return directory
