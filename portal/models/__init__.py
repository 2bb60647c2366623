"""Every table of the portal; import models from here."""

from portal.models.core import (
    ArrivedVia,
    DailySalt,
    HandoffMode,
    Organization,
    OrganizationFocus,
    OrgStatus,
    RecipientKind,
    Referral,
    ReferralStatus,
)
from portal.models.types import UTCDateTime, utcnow

__all__ = [
    "ArrivedVia",
    "DailySalt",
    "HandoffMode",
    "OrgStatus",
    "Organization",
    "OrganizationFocus",
    "RecipientKind",
    "Referral",
    "ReferralStatus",
    "UTCDateTime",
    "utcnow",
]
