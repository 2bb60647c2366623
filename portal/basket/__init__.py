"""The giving basket: one gift split among several members, one Checkout, exact allocations."""
