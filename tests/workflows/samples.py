"""Sample data shared by the workflow tests."""

# DMN inputs of an applicant who meets every condition (see docs/design.md, applicant_screening).
ELIGIBLE = {
    "age": 25,
    "age_relaxed": False,
    "nationality": "CN",
    "weihai_residence": True,
    "education": "bachelor",
    "healthy": True,
    "good_conduct": True,
    "meets_post_requirements": True,
    "disqualifiers": [],
}
