"""The credit rules, free of Django and of every app: the installment (emi), the score
(scoring), the policy's decision and counter-offers (policy), where a loan stands (standing),
the repayment schedule (schedule), money and calendar arithmetic (money, dates) and what a
loan's fields may hold (limits). Every app reads them; they read nothing of the project."""
