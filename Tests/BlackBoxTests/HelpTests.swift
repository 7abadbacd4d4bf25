import Testing

@Suite struct PlaceholderBlackBox {}
