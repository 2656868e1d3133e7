"""Scarce time and money: capacities, budgets, the plan the strategies imply, optimal allocation, scenarios."""
