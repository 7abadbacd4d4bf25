import GuestPrepModel
import Testing

@Suite struct SecretTests {
    @Test func noFormOfASecretShowsItsValue() {
        let secret = Secret("hunter2-pa55")
        var dumped = ""
        dump(ClientEnrollment(accessToken: secret), to: &dumped)
        #expect(!dumped.contains("hunter2"), "\(dumped)")
        #expect(!"\(secret)".contains("hunter2") && !String(reflecting: secret).contains("hunter2"))
        #expect(secret.reveal() == "hunter2-pa55")
    }
}
