"""How much deposit a booking takes: the service's policy, else the business's, and the no-show rule.

    Full Detail $180, service policy fixed $50                  -> $50
    Interior $90, no policy of its own, business 20 percent     -> $18
    Express Wash $40, policy none, customer with a no-show,
        business asks $25 after a no-show                        -> $25
"""

from dataclasses import dataclass
from enum import StrEnum


class DepositPolicy(StrEnum):
    NONE = "none"
    FIXED = "fixed"          # a set amount
    PERCENT = "percent"      # a share of the price


@dataclass(frozen=True)
class DepositRule:
    policy: DepositPolicy
    cents: int = 0           # FIXED
    percent: int = 0         # PERCENT, whole percent of the price


def deposit_due(price_cents: int, *, service_rule: DepositRule | None, business_rule: DepositRule,
                past_no_shows: int = 0, no_show_deposit_cents: int = 0) -> int:
    """The deposit in cents (0: none). A service without a rule of its own follows the business's; a
    customer who did not turn up before pays at least `no_show_deposit_cents`. Never more than the price."""
    rule = service_rule or business_rule
    if rule.policy is DepositPolicy.FIXED:
        amount = rule.cents
    elif rule.policy is DepositPolicy.PERCENT:
        amount = (price_cents * rule.percent + 50) // 100      # to the nearest cent, halves up
    else:
        amount = 0
    if past_no_shows > 0:
        amount = max(amount, no_show_deposit_cents)
    amount = max(amount, 0)
    return min(amount, price_cents) if price_cents > 0 else amount


def rule_of(policy: str | None, cents: int | None, percent: int | None) -> DepositRule | None:
    """A stored policy as a rule; None when there is no policy (the service follows the business)."""
    if not policy:
        return None
    return DepositRule(DepositPolicy(policy), cents or 0, percent or 0)
