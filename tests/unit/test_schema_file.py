from api.cli import SCHEMA_FILE, schema_sdl


def test_schema_graphql_is_up_to_date():
    """The committed schema is the contract clients read; refresh it with `make schema`."""
    assert SCHEMA_FILE.exists(), "run `make schema`"
    assert SCHEMA_FILE.read_text() == schema_sdl(), "schema.graphql drifted from the code: run `make schema`"


def test_contract_names_are_in_the_schema():
    sdl = schema_sdl()
    for name in (
        "registerVolunteer(",
        "registerOrganisation(",
        "login(",
        "createCommitteeAccount(",
        "updateVolunteerProfile(",
        "viewer:",
        "organisation(",
        "organisations(",
        "postNeed(",
        "updateNeed(",
        "cancelNeed(",
        "node(",
        "nodes(",
        "openTasks(",
        "recommendedTasks(",
        "recommendVolunteers(",
        "interface Node",
        "type UserError",
        "totalCount: Int!",
    ):
        assert name in sdl, name
