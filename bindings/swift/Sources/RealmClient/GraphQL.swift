import Foundation

/// The answer of `realm_graphql`: the whole `{data, errors}` envelope exactly as the server sent
/// it, as raw JSON, with helpers to decode it into `Decodable` types.
public struct GraphQLResponse: Hashable, Sendable {
    /// The envelope's raw UTF-8 JSON.
    public let json: Data

    public init(json: Data) { self.json = json }

    /// The envelope as text.
    public var text: String { String(decoding: json, as: UTF8.self) }

    /// Decodes the envelope, with `data` as `T` (nil when the server sent null or nothing).
    public func decode<T: Decodable>(_ type: T.Type = T.self,
                                     decoder: JSONDecoder = JSONDecoder()) throws -> GraphQLResult<T> {
        try decoder.decode(GraphQLResult<T>.self, from: json)
    }

    /// Decodes `data` as `T`; throws GraphQLFailure when the server reported errors or sent no
    /// data. Use `decode(_:)` to get partial data along with the errors.
    public func data<T: Decodable>(_ type: T.Type = T.self,
                                   decoder: JSONDecoder = JSONDecoder()) throws -> T {
        let result = try decode(type, decoder: decoder)
        let errors = result.errors ?? []
        guard errors.isEmpty, let data = result.data else {
            throw GraphQLFailure(errors: errors)
        }
        return data
    }
}

/// The GraphQL envelope: `data` and `errors`, both optional in the GraphQL spec.
public struct GraphQLResult<T: Decodable>: Decodable {
    public let data: T?
    public let errors: [GraphQLError]?
}

extension GraphQLResult: Sendable where T: Sendable {}

/// One entry of the envelope's `errors`.
public struct GraphQLError: Decodable, Hashable, Sendable {
    public struct Location: Decodable, Hashable, Sendable {
        public let line: Int
        public let column: Int
    }

    /// One step of `path`: a field name or a list index.
    public enum PathElement: Decodable, Hashable, Sendable {
        case key(String)
        case index(Int)

        public init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let index = try? container.decode(Int.self) {
                self = .index(index)
            } else {
                self = .key(try container.decode(String.self))
            }
        }
    }

    public let message: String
    public let locations: [Location]?
    public let path: [PathElement]?
}

/// Thrown by `GraphQLResponse.data(_:)` when the envelope holds errors or no data. Not a
/// RealmError: the library call itself succeeded.
public struct GraphQLFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public let errors: [GraphQLError]

    public var description: String {
        errors.isEmpty
            ? "the GraphQL response has no data"
            : "GraphQL errors: " + errors.map(\.message).joined(separator: "; ")
    }
}
