"""Dated events: the timeline every chapter is read against."""

from __future__ import annotations

import pandas as pd

# The Taliban entered Kabul on 15 August 2021 (Jamestown Foundation, Eurasia Daily Monitor,
# G. Voloshin, September 2021: the day the Taliban conquered Kabul).
TAKEOVER = pd.Timestamp("2021-08-15")
