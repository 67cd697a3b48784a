"""Boilerplate lines that extractors keep inside article bodies, removed by class.

Classes (each in the project's languages): "read also / related" teasers and the
headline lists under them, newsletter and subscription calls, share/follow prompts,
comment counters, paywall teasers ("to read the rest..."), article tools (print, reprints,
text size) and their messages, the author's "Write to ... at address" line, cookie
notices, reading-time and copyright lines. A line is only ever dropped whole, and only
when it is short: a real paragraph that happens to mention a newsletter is long and stays.
"""

from __future__ import annotations

import re

__all__ = ["strip_boilerplate"]

# Longest line a boilerplate class may match (characters); longer lines are prose.
MAX_LINE = 220
# A headline under a "read also" marker: short and without sentence punctuation at its end.
MAX_HEADLINE = 140

_READ_ALSO = (
    r"read (?:also|more|next)|see (?:also|more)|related(?: (?:articles?|stories|posts?|"
    r"coverage|content|news|reading))?|more (?:on|from|about) this|also on \S+|also read|"
    r"more stories|most (?:read|popular|viewed)|recommended(?: for you)?|"
    r"you (?:may|might) (?:also )?(?:like|be interested(?: in)?)|don'?t miss|trending|"
    r"watch(?: now)?|top stories|further reading|"
    r"à lire (?:aussi|également)|lire (?:aussi|également)|voir aussi|sur le même sujet|"
    r"les plus lus|à voir aussi|"
    r"lesen sie (?:auch|mehr)|auch interessant|mehr zum thema|"
    r"das könnte sie (?:auch )?interessieren|"
    r"lee (?:también|más)|leer más|te puede interesar|noticias relacionadas|ver también|"
    r"leia (?:também|mais)|veja também|saiba mais|"
    r"leggi anche|potrebbe interessarti|"
    r"читайте (?:также|еще|ещё)|смотрите также|по теме|"
    r"اقرأ (?:أيضا|أيضاً|المزيد)|"
    r"相关(?:新闻|阅读|文章)|延伸阅读|推荐阅读|関連記事|관련기사|"
    # the bare verb as a link label: "[Read: headline]", "Lire : titre"
    r"read|lire|lesen|leia|leggi|читайте"
)
_MARKER = re.compile(rf"^\W*(?:{_READ_ALSO})\b\W*$", re.IGNORECASE)
_TEASER = re.compile(rf"^\W*(?:{_READ_ALSO})\s*[:|»>\-–—]\s*\S", re.IGNORECASE)

_LINE_STARTS = (
    # newsletters, subscriptions and paywall teasers
    # "sign up" only with what one signs up to: "Sign up for a Hulu account" is a step
    r"sign up(?:\W*$|\s+(?:now|today|here|free|for free|to (?:receive|get))\b|\s+(?:for|to)\s+"
    r"(?:our|the|my|a free|free)?\s*(?:[\w'’-]+\s+){0,3}(?:newsletters?|e-?mails?|alerts?|"
    r"updates|briefings?|digests?|inbox)\b)|"
    r"subscribe|get (?:the|our) .{0,40}newsletter|newsletter\b|never miss|"
    r"inscrivez-vous|abonnez-vous|recevez (?:notre|nos)|pour lire la suite|"
    r"la suite (?:est )?réservée|abonnieren sie|melden sie sich|jetzt abonnieren|"
    r"suscríbete|suscribete|regístrate|assine|inscreva-se|iscriviti|подпишитесь|"
    r"already a subscriber|this (?:article|content) is (?:for|reserved for) subscribers|"
    r"to (?:continue|keep) reading|continue reading|"
    # share, follow and comment prompts
    r"share (?:this|on)\b|like this (?:story|article)|follow (?:us|\S+(?:\s\S+){0,4} on)\b|"
    r"partager\b|partagez\b|teilen\b|compartir\b|compartilhe\b|condividi\b|"
    r"\d*\s*comments?\b|leave a (?:comment|reply)|commentaires?\b|kommentare?\b|"
    r"comentarios?\b|"
    # article tools and their messages, reprint notices, the author's contact line
    r"print (?:this )?(?:article|story|page)\b|order reprints|text size\b|"
    r"an error has occurred|this (?:article|story) has been sent to|"
    r"this copy is for your personal,? non-commercial use|write to \S+(?:\s\S+){0,4} at \S+@\S+|"
    # cookies, reading time, copyright, tag lists
    r"(?:we|this (?:site|website)) uses? cookies|nous utilisons des cookies|"
    r"(?:reading time|tempo de leitura|temps de lecture|lesezeit|tiempo de lectura)\b|"
    r"\d+\s*min(?:ute)?s?\s+read\b|"
    r"copyright\b|©|\(c\)\s|ⓒ|all rights reserved|tous droits réservés|"
    r"alle rechte vorbehalten|todos los derechos reservados|"
    r"filed under\b|tags?\s*:|mots[- ]clés\s*:|schlagwörter\s*:|etiquetas\s*:"
)
_LINE_CLASSES = re.compile(rf"^\W*(?:{_LINE_STARTS})", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?。！？…\"”»')]\s*$")


def strip_boilerplate(text: str) -> str:
    """`text` with boilerplate lines (see the module docstring) removed; paragraphs kept."""
    lines = text.split("\n")
    kept: list[str] = []
    in_list = False
    for line in lines:
        stripped = line.strip()
        if not stripped:
            kept.append(line)
            continue
        if in_list and len(stripped) <= MAX_HEADLINE and not _SENTENCE_END.search(stripped):
            continue  # a headline of the list under a "read also" marker
        in_list = False
        if len(stripped) > MAX_LINE:
            kept.append(line)
            continue
        if _MARKER.match(stripped):
            in_list = True
            continue
        if _TEASER.match(stripped) or _LINE_CLASSES.match(stripped):
            continue
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
