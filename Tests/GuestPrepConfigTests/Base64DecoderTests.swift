import Foundation
import GuestPrepConfig
import Testing

@Suite struct Base64DecoderTests {
    private func text(_ base64: String) throws -> String {
        String(decoding: try Base64Decoder.decode(base64), as: UTF8.self)
    }

    private func error(_ base64: String) -> Base64Error? {
        do {
            let bytes = try Base64Decoder.decode(base64)
            Issue.record("expected an error, got \(bytes.count) bytes")
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesTheRFC4648Vectors() throws {
        let vectors = [
            ("", ""), ("Zg==", "f"), ("Zm8=", "fo"), ("Zm9v", "foo"), ("Zm9vYg==", "foob"), ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
        ]
        for (base64, plain) in vectors { #expect(try text(base64) == plain, "\(base64)") }
    }

    @Test func paddingIsOptional() throws {
        #expect(try text("Zg") == "f")
        #expect(try text("Zm8") == "fo")
        #expect(try text("Zm9vYg") == "foob")
    }

    @Test func ignoresWhiteSpaceAndLineBreaks() throws {
        #expect(try text("Zm9v\nYmFy\r\n") == "foobar")
        #expect(try text("  Zm 9v\tYg\n=\n=\n") == "foob")
        #expect(try text("\n\n") == "")
    }

    @Test func decodesEveryByteValueAsFoundationEncodesThem() throws {
        let bytes = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
        for count in [0, 1, 2, 3, 255, 256, 257, 3000] {
            let slice = Array(bytes.prefix(count))
            #expect(try Base64Decoder.decode(Data(slice).base64EncodedString()) == slice)
            let wrapped = Data(slice).base64EncodedString(options: [.lineLength64Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            #expect(try Base64Decoder.decode(wrapped) == slice)
        }
    }

    @Test func namesTheOffsetOfABadCharacter() {
        #expect(error("Zm9v!mFy") == Base64Error(.invalidCharacter, offset: 4))
        #expect(error("Zm9v\nYm-y") == Base64Error(.invalidCharacter, offset: 7))
        #expect(error("Zm9v_mFy") == Base64Error(.invalidCharacter, offset: 4))
        #expect(error("Zm9v\u{E9}") == Base64Error(.invalidCharacter, offset: 4))
        let message = error("Zm9v!mFy")?.description ?? ""
        #expect(message.contains("offset 4"))
        #expect(message.contains("base64url"))
    }

    @Test func rejectsMisplacedPadding() {
        #expect(error("=Zm9") == Base64Error(.misplacedPadding, offset: 0))
        #expect(error("Z===") == Base64Error(.misplacedPadding, offset: 1))
        #expect(error("Zm9vY===") == Base64Error(.misplacedPadding, offset: 5))
        #expect(error("Zg===") == Base64Error(.misplacedPadding, offset: 4))
        #expect(error("Zm9v=") == Base64Error(.misplacedPadding, offset: 4))
        #expect(error("Zg==Zg==") == Base64Error(.dataAfterPadding, offset: 4))
        #expect(error("Zg=\n=x") == Base64Error(.dataAfterPadding, offset: 5))
    }

    @Test func rejectsATextCutShort() {
        #expect(error("Zm9vY") == Base64Error(.incompleteGroup, offset: 4))
        #expect(error("Zm9v Y\n") == Base64Error(.incompleteGroup, offset: 5))
        #expect(error("Zm9vYg=") == Base64Error(.incompletePadding, offset: 4))
        #expect(error("Zm9vYg=")?.description.contains("offset 4") == true)
    }

    @Test func messagesNeverShowTheText() {
        // The text of a secret with a bad character in several places.
        let secret = Data("SECRET-CLIENT-TOKEN-7f3a9c1e2b and more".utf8).base64EncodedString()
        let variants = [
            secret + "!", "!" + secret, String(secret.prefix(20)) + "~" + secret.dropFirst(20),
            String(secret.dropLast(2)) + "=x", secret + "A",
        ]
        for variant in variants {
            let message = error(variant)?.description ?? ""
            #expect(!message.isEmpty)
            // No run of four characters of the text appears in the message.
            let characters = Array(variant)
            for start in 0..<(characters.count - 4) {
                let run = String(characters[start..<(start + 4)])
                #expect(!message.contains(run), "\(message) shows \(run)")
            }
        }
    }
}
