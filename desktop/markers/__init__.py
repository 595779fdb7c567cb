"""The managers' marker window: register, risk assessments, reviews, appeals, letters."""
