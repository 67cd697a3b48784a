"""Deterministic filler text for generated sites: titles, paragraphs and dates (en, ru)."""

from __future__ import annotations

import random
from datetime import datetime


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


EN_MONTHS = _split(
    "January February March April May June July August September October November December"
)
RU_MONTHS_GENITIVE = _split(
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
)

EN_WORDS = _split(
    "the minister said that bilateral cooperation between both countries remains a priority "
    "and that regional security trade energy connectivity climate and people-to-people "
    "contacts were discussed in detail during the talks the sides agreed to continue "
    "consultations at the level of deputy ministers and expressed support for a peaceful "
    "settlement of disputes through dialogue in accordance with international law the "
    "delegation also reviewed preparations for the upcoming summit and the joint commission"
)
RU_WORDS = _split(
    "министр отметил что двустороннее сотрудничество между странами остается приоритетом "
    "и что региональная безопасность торговля энергетика транспортная связанность климат "
    "и гуманитарные контакты подробно обсуждались в ходе переговоров стороны договорились "
    "продолжить консультации на уровне заместителей министров и выразили поддержку мирному "
    "урегулированию споров путем диалога в соответствии с международным правом делегация "
    "также рассмотрела подготовку к предстоящему саммиту и заседанию совместной комиссии"
)

EN_COUNTRIES = _split(
    "Pakistan India China Russia Kazakhstan Uzbekistan Malaysia Belarus Turkey Iran "
    "Bangladesh Nepal Sri-Lanka Afghanistan Japan Brazil Egypt Germany France Indonesia"
)
RU_COUNTRIES = _split(
    "Пакистаном Индией Китаем Казахстаном Узбекистаном Малайзией Белоруссией Турцией Ираном "
    "Бангладеш Непалом Афганистаном Японией Бразилией Египтом Германией Францией Индонезией"
)
EN_TITLES = (
    "Foreign Minister meets counterpart from {c}",
    "Statement on the situation in {c}",
    "Joint press release on strategic dialogue with {c}",
    "Spokesperson's remarks on arms control talks with {c}",
    "Foreign Secretary holds consultations with {c} on regional security",
    "Press briefing on the visit of the delegation of {c}",
)
RU_TITLES = (
    "Министр иностранных дел провел переговоры с {c}",
    "Заявление МИД в связи с ситуацией в отношениях с {c}",
    "О консультациях по стратегической стабильности с {c}",
    "Комментарий официального представителя о контактах с {c}",
    "О встрече заместителя министра с делегацией, связанной с {c}",
)


def en_date(when: datetime) -> str:
    """'5 March 2024'."""
    return f"{when.day} {EN_MONTHS[when.month - 1]} {when.year}"


def ru_date(when: datetime) -> str:
    """'5 марта 2024 г.'."""
    return f"{when.day} {RU_MONTHS_GENITIVE[when.month - 1]} {when.year} г."


def human_date(when: datetime, language: str) -> str:
    """The date as a ministry page writes it in that language."""
    return ru_date(when) if language == "ru" else en_date(when)


def title(rng: random.Random, language: str, index: int) -> str:
    """A press-release headline, unique by index."""
    if language == "ru":
        base = rng.choice(RU_TITLES).format(c=rng.choice(RU_COUNTRIES))
        return f"{base} (№{index})"
    base = rng.choice(EN_TITLES).format(c=rng.choice(EN_COUNTRIES).replace("-", " "))
    return f"{base} (No. {index})"


def sentence(rng: random.Random, language: str) -> str:
    """One sentence of 12-28 words."""
    words = RU_WORDS if language == "ru" else EN_WORDS
    picked = [rng.choice(words) for _ in range(rng.randint(12, 28))]
    return " ".join(picked).capitalize() + "."


def paragraph(rng: random.Random, language: str) -> str:
    """A paragraph of 3-7 sentences."""
    return " ".join(sentence(rng, language) for _ in range(rng.randint(3, 7)))


def words(rng: random.Random, count: int) -> str:
    """`count` English filler words."""
    return " ".join(rng.choice(EN_WORDS) for _ in range(count))
