//! realm-client: a client for the Atlas App Services (MongoDB Realm) Client HTTP API.
