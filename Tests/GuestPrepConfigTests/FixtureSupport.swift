import Foundation
import GuestPrepModel
import Testing

/// Test helpers: the committed fixtures and the text of a thrown malformed-document error.
enum FixtureSupport {
    /// The Fixtures folder copied into the test bundle.
    static func url(_ name: String) throws -> URL {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return folder.appendingPathComponent(name)
    }

    /// The bytes of a committed fixture.
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try url(name)))
    }

    /// The `description` of the `GuestPrepError.malformed` that `body` throws, after
    /// checking that it names `what`; nil (and a recorded issue) when it throws nothing or
    /// something else.
    static func malformedMessage<T>(
        _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T
    ) -> String? {
        do {
            let result = try body()
            Issue.record("expected a malformed-document error, got \(result)", sourceLocation: sourceLocation)
        } catch let error as GuestPrepError {
            guard case .malformed(let thrownWhat, _) = error else {
                Issue.record("expected .malformed, got \(error)", sourceLocation: sourceLocation)
                return nil
            }
            #expect(thrownWhat == what, sourceLocation: sourceLocation)
            return error.description
        } catch {
            Issue.record("expected GuestPrepError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }
}
