async def test_healthz_and_readyz(client):
    assert (await client.get("/healthz")).status_code == 200
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"database": "up"}


async def test_graphiql_served_on_get(client):
    r = await client.get("/graphql", headers={"accept": "text/html"})
    assert r.status_code == 200 and "graphiql" in r.text.lower()
