"""DomainGenerator, through the custom-domain example of the architecture reference
(``InsuranceGenerator``, copied as written: ``pass`` bodies), fitted on a user's tables."""

# no `from __future__ import annotations`: the example's annotations are evaluated, as in a
# user's module
import numpy as np
import pandas as pd
import pytest

# -- the example of genesis-v1.4-architecture.md, "Custom Domain Generator", as written ------
from genesis.domains import DomainGenerator
from genesis.errors import InvalidParameterError, NotFittedError


class InsuranceGenerator(DomainGenerator):
    domain = "insurance"

    def generate_policies(self, n_policies: int) -> pd.DataFrame:
        # Custom implementation
        pass

    def generate_claims(self, n_claims: int) -> pd.DataFrame:
        # Custom implementation
        pass


# -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def insurance_tables() -> dict[str, pd.DataFrame]:
    """400 policies and their claims (0-4 each, more for older holders and bigger covers)."""
    rng = np.random.default_rng(0)
    n = 400
    age = rng.integers(18, 85, n)
    policies = pd.DataFrame(
        {
            "policy_id": [f"POL-{i:05d}" for i in range(n)],
            "holder_age": age,
            "product": rng.choice(["auto", "home", "life"], n, p=[0.5, 0.3, 0.2]),
            "annual_premium": np.round(300 + age * 12 + rng.gamma(2, 150, n), 2),
        }
    )
    n_claims = rng.poisson(0.3 + age / 40)
    owner = np.repeat(np.arange(n), n_claims)
    claims = pd.DataFrame(
        {
            "claim_id": np.arange(1, owner.size + 1),
            "policy_id": policies["policy_id"].to_numpy()[owner],
            "amount": np.round(rng.lognormal(7, 1, owner.size), 2),
            "status": rng.choice(["paid", "denied", "open"], owner.size, p=[0.7, 0.2, 0.1]),
        }
    )
    return {"policies": policies, "claims": claims}


def test_example_instantiates_as_written():
    gen = InsuranceGenerator()
    assert gen.domain == "insurance"
    assert isinstance(gen, DomainGenerator)
    assert gen.generate_policies(10) is None and gen.generate_claims(10) is None
    assert not gen.is_fitted
    assert repr(gen) == "InsuranceGenerator(domain='insurance', seed=0, defaults)"


def test_generate_before_fit_says_what_to_do():
    with pytest.raises(NotFittedError, match=r"InsuranceGenerator has no built-in defaults.*fit"):
        InsuranceGenerator().generate(100)


def test_fit_on_user_tables_then_generate(insurance_tables):
    gen = InsuranceGenerator(seed=1).fit(insurance_tables)
    assert gen.is_fitted
    assert gen.synthesizer_.schema_.roots() == ["policies"]
    out = gen.generate(250)
    policies, claims = out["policies"], out["claims"]
    assert len(policies) == 250
    assert list(policies.columns) == list(insurance_tables["policies"].columns)
    assert list(claims.columns) == list(insurance_tables["claims"].columns)
    assert policies["policy_id"].is_unique
    assert claims["policy_id"].isin(policies["policy_id"]).all()  # every foreign key valid
    assert set(claims["status"]) <= {"paid", "denied", "open"}
    # same seed, same tables
    again = InsuranceGenerator(seed=1).fit(insurance_tables).generate(250)
    pd.testing.assert_frame_equal(again["claims"], claims)


def test_fit_with_declared_relationships(insurance_tables):
    from genesis.relational import Relationship

    rel = [Relationship("policies", "policy_id", "claims", "policy_id")]
    out = InsuranceGenerator(seed=2).fit(insurance_tables, rel).generate(50)
    assert len(out["policies"]) == 50
    assert out["claims"]["policy_id"].isin(out["policies"]["policy_id"]).all()


def test_one_table_domain(insurance_tables):
    out = InsuranceGenerator(seed=3).fit(insurance_tables["policies"]).generate(40)
    assert list(out) == ["insurance"] and len(out["insurance"]) == 40


@pytest.mark.parametrize("data", [None, {}, [1, 2], {"policies": [1, 2]}, {1: pd.DataFrame()}])
def test_bad_data(data):
    with pytest.raises(InvalidParameterError, match="DataFrame or a non-empty dict"):
        InsuranceGenerator().fit(data)


@pytest.mark.parametrize("n", [0, -5, 2.5, "10", True])
def test_bad_sizes(n):
    with pytest.raises(InvalidParameterError, match="n_samples"):
        InsuranceGenerator().generate(n)


@pytest.mark.parametrize("seed", [-1, 1.5, "x"])
def test_bad_seed(seed):
    with pytest.raises(InvalidParameterError, match="seed"):
        InsuranceGenerator(seed=seed)


# -- the class diagram of genesis-v1.4-architecture.md, "Domain Generators Architecture" ---
SPEC_METHODS = {
    "HealthcareGenerator": (
        "generate_patient_cohort",
        "generate_clinical_events",
        "generate_lab_results",
        "generate_medications",
    ),
    "FinanceGenerator": (
        "generate_transactions",
        "generate_accounts",
        "generate_credit_profiles",
        "generate_fraud_scenarios",
    ),
    "RetailGenerator": (
        "generate_customers",
        "generate_orders",
        "generate_products",
        "generate_ecommerce_dataset",
    ),
}


@pytest.mark.parametrize("name", sorted(SPEC_METHODS))
def test_every_generate_method_of_the_class_diagram_runs_as_shown(name):
    """Each ``generate_*()`` of the diagram, called as it is drawn (no argument), gives
    tables on calibrated default sizes; a subclass of DomainGenerator with its ``domain``."""
    import genesis.domains as domains

    cls = getattr(domains, name)
    assert issubclass(cls, DomainGenerator) and cls.domain in domains.DOMAINS
    assert domains.DOMAINS[cls.domain] is cls
    gen = cls(seed=0)
    for method in SPEC_METHODS[name]:
        out = getattr(gen, method)()
        frames = out.values() if isinstance(out, dict) else [out]
        for frame in frames:
            assert isinstance(frame, pd.DataFrame) and len(frame) > 0, (name, method)
