"""How the trade chapter writes its figures: money as text, the flows' names from the reporter's
side, and the rows of its charts and tables.

Money comes in US dollars (from `trade` and `tradefigures`); charts and tables show US$ million.
"""

from __future__ import annotations

import pandas as pd

from amudarya.domain.fx import amount_text
from amudarya.domain.trade import FLOW_ORDER
from amudarya.domain.tradefigures import composition, latest_period_before
from amudarya.domain.words import QUALIFIER_WORDS, money

MILLION = 1_000_000
FLOW_WORDS = {"turnover": "turnover", "export": "exports", "import": "imports"}


def money_text(value_usd: float, qualifier: str = "exact", currency: str = "USD", rate=None) -> str:
    """'about US$ 1.7 billion'; with `rate` (an fx.Rate), the same amount in its currency."""
    if rate is not None:
        return amount_text(rate.convert(value_usd), rate.currency, qualifier)
    if currency == "USD":
        return money(value_usd, qualifier)
    return amount_text(value_usd, currency, qualifier)


def _short_value(value_usd: float, qualifier: str) -> str:
    mark = {"about": "≈", "at_least": ">"}.get(qualifier, "")
    return f"{mark}{value_usd / MILLION:,.1f}"


def flow_label(flow: str, reporter_name: str, partner_name: str) -> str:
    """What a flow is, from the reporter's side: 'Exports from Kazakhstan to Afghanistan'."""
    return {
        "turnover": "Turnover (both directions)",
        "export": f"Exports from {reporter_name} to {partner_name}",
        "import": f"Imports into {reporter_name} from {partner_name}",
    }[flow]


def whose(name: str) -> str:
    """The legend entry for one side's count: 'As Kazakhstan reports it'."""
    return f"As {name} reports it"


def composition_chart_data(flows_: pd.DataFrame, takeover) -> pd.DataFrame:
    """Rows for the chart of the pre-takeover period: label, value in US$ million, flow."""
    period = latest_period_before(flows_, takeover)
    if period is None:
        return pd.DataFrame(columns=["label", "value_m", "flow"])
    parts = composition(flows_, *period)
    return pd.DataFrame(
        {
            "label": parts["product"].str.capitalize(),
            "value_m": parts["value_usd"] / MILLION,
            "flow": parts["flow"].map({"export": "Exports", "import": "Imports"}),
        }
    )


def series_chart_data(
    series_: pd.DataFrame, mirror_: pd.DataFrame, reporter_name: str, partner_name: str
) -> pd.DataFrame:
    """Rows for the chart of figures by period: start, end, value_m, panel (the flow from the
    reporter's side), series (whose count) and text (the value as labelled on the bar)."""
    parts = []
    for rows, who in ((series_, whose(reporter_name)), (mirror_, whose(partner_name))):
        if rows.empty:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "start": rows["period_start"],
                    "end": rows["period_end"],
                    "value_m": rows["value_usd"].astype(float) / MILLION,
                    "flow": rows["flow"],
                    "panel": [flow_label(f, reporter_name, partner_name) for f in rows["flow"]],
                    "series": who,
                    "text": [_short_value(v, q) for v, q in zip(rows["value_usd"], rows["qualifier"], strict=True)],
                    "period": rows["period"],
                    "qualifier": rows["qualifier"],
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            columns=["start", "end", "value_m", "flow", "panel", "series", "text", "period", "qualifier"]
        )
    out = pd.concat(parts, ignore_index=True)
    out["_order"] = out["flow"].map({f: i for i, f in enumerate(FLOW_ORDER)})
    return out.sort_values(["_order", "start", "end"]).drop(columns="_order").reset_index(drop=True)


def series_table(
    series_: pd.DataFrame, mirror_: pd.DataFrame, reporter_name: str, partner_name: str, rate=None
) -> pd.DataFrame:
    """Every figure by period as the page lists it: whose count, period and its length, flow,
    value in US$ million (with 'about'/'more than'), and in the chosen currency when `rate`."""
    rows = pd.concat(
        [series_.assign(_who=reporter_name, _side=0), mirror_.assign(_who=partner_name, _side=1)], ignore_index=True
    )
    if rows.empty:
        return pd.DataFrame()
    rows["_flow"] = rows["flow"].map({f: i for i, f in enumerate(FLOW_ORDER)})
    rows = rows.sort_values(["period_start", "period_end", "_side", "_flow"])
    table = pd.DataFrame(
        {
            "Period": rows["period"],
            "Months": rows["months"].astype(int),
            "Flow": [flow_label(f, reporter_name, partner_name) for f in rows["flow"]],
            "Counted by": rows["_who"],
            "US$ million": [
                QUALIFIER_WORDS[q] + f"{v / MILLION:,.1f}"
                for v, q in zip(rows["value_usd"], rows["qualifier"], strict=True)
            ],
        }
    )
    if rate is not None:
        table[f"{rate.currency} million (illustration)"] = [
            QUALIFIER_WORDS[q] + f"{rate.convert(float(v)) / MILLION:,.0f}"
            for v, q in zip(rows["value_usd"], rows["qualifier"], strict=True)
        ]
    table["Reported by"] = rows["reported_by"].values
    return table.reset_index(drop=True)


def targets_table(targets_: pd.DataFrame) -> pd.DataFrame:
    """Announced goals: when (month and year only, as several are known only to the month),
    the goal, for what, by when, and who announced it."""
    return pd.DataFrame(
        {
            "Announced": [f"{d:%B %Y}" for d in targets_["period_start"]],
            "Goal": [
                money_text(float(v), q) if pd.notna(v) else "no money value"
                for v, q in zip(targets_["value_usd"], targets_["qualifier"], strict=True)
            ],
            "For": ["all trade (turnover)" if p == "all" else p for p in targets_["product"]],
            "Deadline": [f"{d:%-d %B %Y}" if pd.notna(d) else "none given" for d in targets_["period_end"]],
            "Announced by": targets_["reported_by"],
        }
    )


def products_table(products_: pd.DataFrame, reporter_name: str, partner_name: str) -> pd.DataFrame:
    def amount(row):
        if pd.notna(row["value_usd"]):
            return money(row["value_usd"], row["qualifier"])
        if row["quantity_unit"] == "t":
            return QUALIFIER_WORDS[row["qualifier"]] + f"{row['quantity']:,.0f} tonnes (no money value given)"
        return QUALIFIER_WORDS[row["qualifier"]] + f"{row['quantity']:g} {row['quantity_unit']}"

    return pd.DataFrame(
        {
            "Period": products_["period"],
            "Flow": [flow_label(f, reporter_name, partner_name) for f in products_["flow"]],
            "Product": products_["product"],
            "Amount": [amount(r) for _, r in products_.iterrows()],
            "Reported by": products_["reported_by"],
        }
    )
