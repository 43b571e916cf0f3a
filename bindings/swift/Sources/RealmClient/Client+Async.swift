import Foundation

// `async` variants of the calls that do network I/O. Each one runs the synchronous method, start
// to end, on a Dispatch worker thread (`runBlocking`), so it never blocks the caller's actor or
// Swift's cooperative pool, and the C call and the reading of its thread-local error detail
// happen in one synchronous stretch on one thread. Inside the `@Sendable` closures the
// synchronous overloads are chosen, because a synchronous closure cannot call `async` ones.
//
// Arguments that are not Sendable (Encodable values, encoders) are turned into JSON text on the
// caller's side first, so only Strings cross threads.
extension Client {
    public func login(_ credentials: Credentials) async throws {
        try await runBlocking { try self.login(credentials) }
    }

    public func login(provider: String, credentialsJSON: String) async throws {
        try await runBlocking { try self.login(provider: provider, credentialsJSON: credentialsJSON) }
    }

    public func loginAnonymous() async throws {
        try await login(.anonymous)
    }

    public func login(email: String, password: String) async throws {
        try await login(.emailPassword(email: email, password: password))
    }

    public func login(apiKey: String) async throws {
        try await login(.apiKey(apiKey))
    }

    public func login(customJWT: String) async throws {
        try await login(.customJWT(customJWT))
    }

    public func login(functionPayloadJSON: String) async throws {
        try await login(.customFunction(payloadJSON: functionPayloadJSON))
    }

    public func refresh() async throws {
        try await runBlocking { try self.refresh() }
    }

    public func logout() async throws {
        try await runBlocking { try self.logout() }
    }

    public func graphql(_ query: String, variablesJSON: String? = nil,
                        operationName: String? = nil) async throws -> GraphQLResponse {
        try await runBlocking {
            try self.graphql(query, variablesJSON: variablesJSON, operationName: operationName)
        }
    }

    public func graphql<Variables: Encodable>(_ query: String, variables: Variables,
                                              operationName: String? = nil,
                                              encoder: JSONEncoder = JSONEncoder()) async throws -> GraphQLResponse {
        let variablesJSON = try jsonText(variables, encoder: encoder)
        return try await graphql(query, variablesJSON: variablesJSON, operationName: operationName)
    }
}
