/// A small XML reader for what Pacemaker's tools print (`cibadmin -Q`, `crm_mon --output-as=xml`): elements,
/// attributes and text, with comments, processing instructions and a DOCTYPE skipped.
///
/// Why not Foundation's XMLDocument: FoundationXML links libxml2 and Foundation itself, which the shipped
/// binary (static Swift runtime, glibc alone) would then carry into every monitor call for a command an
/// admin runs by hand. Pacemaker's XML is plain (no DTD entities, no namespaces we need), so this is enough.
public struct PacemakerXML: Equatable, Sendable {
    /// One element: its name, attributes (entities decoded), children and direct text.
    public struct Element: Equatable, Sendable {
        public var name: String
        public var attributes: [String: String]
        public var children: [Element]
        public var text: String

        public subscript(attribute: String) -> String? { attributes[attribute] }

        /// Direct children named `name`.
        public func children(named name: String) -> [Element] { children.filter { $0.name == name } }

        /// The first direct child named `name`.
        public func child(_ name: String) -> Element? { children.first { $0.name == name } }

        /// Every element below this one (not itself) named `name`, in document order.
        public func descendants(named name: String) -> [Element] {
            var found: [Element] = []
            for child in children {
                if child.name == name { found.append(child) }
                found += child.descendants(named: name)
            }
            return found
        }
    }

    public struct SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "XML syntax error at byte \(offset): \(message)" }
    }

    public var root: Element

    /// Parses a whole document; exactly one root element.
    public init(parsing text: String) throws(SyntaxError) {
        var reader = Reader(bytes: Array(text.utf8))
        root = try reader.document()
    }
}

/// The parser proper: a cursor over UTF-8 bytes.
private struct Reader {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ message: String) -> PacemakerXML.SyntaxError {
        PacemakerXML.SyntaxError(offset: position, message: message)
    }

    func starts(with literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        guard position + utf8.count <= bytes.count else { return false }
        return bytes[position..<position + utf8.count].elementsEqual(utf8)
    }

    /// Moves past the next `literal`, or fails.
    mutating func skip(past literal: String) throws(PacemakerXML.SyntaxError) {
        let utf8 = Array(literal.utf8)
        while position + utf8.count <= bytes.count {
            if bytes[position..<position + utf8.count].elementsEqual(utf8) {
                position += utf8.count
                return
            }
            position += 1
        }
        throw fail("missing '\(literal)'")
    }

    mutating func skipSpaces() {
        while position < bytes.count, isSpace(bytes[position]) { position += 1 }
    }

    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    func isNameByte(_ byte: UInt8) -> Bool {
        !isSpace(byte) && byte != UInt8(ascii: "/") && byte != UInt8(ascii: ">") && byte != UInt8(ascii: "=")
            && byte != UInt8(ascii: "<") && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "'")
    }

    /// Skips what may stand outside and between elements but carries nothing we read.
    mutating func skipMarkup() throws(PacemakerXML.SyntaxError) -> Bool {
        if starts(with: "<!--") { try skip(past: "-->"); return true }
        if starts(with: "<?") { try skip(past: "?>"); return true }
        if starts(with: "<!DOCTYPE") {
            // An internal subset in brackets may contain '>'.
            while position < bytes.count, bytes[position] != UInt8(ascii: ">") {
                if bytes[position] == UInt8(ascii: "[") { try skip(past: "]") } else { position += 1 }
            }
            try skip(past: ">")
            return true
        }
        return false
    }

    mutating func document() throws(PacemakerXML.SyntaxError) -> PacemakerXML.Element {
        var root: PacemakerXML.Element?
        while true {
            skipSpaces()
            if position >= bytes.count { break }
            if try skipMarkup() { continue }
            guard bytes[position] == UInt8(ascii: "<"), root == nil else { throw fail("content outside the root element") }
            root = try element()
        }
        guard let root else { throw fail("no element") }
        return root
    }

    mutating func name() throws(PacemakerXML.SyntaxError) -> String {
        let start = position
        while position < bytes.count, isNameByte(bytes[position]) { position += 1 }
        guard position > start else { throw fail("expected a name") }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// At '<' of a start tag: the element with everything inside it, up to and including its end tag.
    mutating func element() throws(PacemakerXML.SyntaxError) -> PacemakerXML.Element {
        position += 1
        var element = PacemakerXML.Element(name: try name(), attributes: [:], children: [], text: "")
        while true {
            skipSpaces()
            guard position < bytes.count else { throw fail("unterminated start tag <\(element.name)>") }
            if starts(with: "/>") { position += 2; return element }
            if bytes[position] == UInt8(ascii: ">") { position += 1; break }
            let attribute = try name()
            skipSpaces()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "=") else { throw fail("expected '=' after \(attribute)") }
            position += 1
            skipSpaces()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'")
            else { throw fail("expected a quoted value for \(attribute)") }
            let quote = bytes[position]
            position += 1
            let start = position
            while position < bytes.count, bytes[position] != quote { position += 1 }
            guard position < bytes.count else { throw fail("unterminated value of \(attribute)") }
            element.attributes[attribute] = try decodeEntities(bytes[start..<position])
            position += 1
        }
        var text: [UInt8] = []
        while true {
            guard position < bytes.count else { throw fail("<\(element.name)> is not closed") }
            if starts(with: "</") {
                position += 2
                let closing = try name()
                guard closing == element.name else { throw fail("</\(closing)> closes <\(element.name)>") }
                skipSpaces()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ">") else { throw fail("expected '>'") }
                position += 1
                element.text = try decodeEntities(text[...])
                return element
            }
            if starts(with: "<![CDATA[") {
                position += 9
                let start = position
                try skip(past: "]]>")
                text += bytes[start..<position - 3]
                continue
            }
            if try skipMarkup() { continue }
            if bytes[position] == UInt8(ascii: "<") {
                element.children.append(try self.element())
                continue
            }
            text.append(bytes[position])
            position += 1
        }
    }

    /// `&lt; &gt; &amp; &quot; &apos; &#N; &#xN;` decoded; anything else after '&' is an error.
    func decodeEntities(_ slice: ArraySlice<UInt8>) throws(PacemakerXML.SyntaxError) -> String {
        guard slice.contains(UInt8(ascii: "&")) else { return String(decoding: slice, as: UTF8.self) }
        var out = ""
        var index = slice.startIndex
        while index < slice.endIndex {
            let byte = slice[index]
            guard byte == UInt8(ascii: "&") else {
                var end = index
                while end < slice.endIndex, slice[end] != UInt8(ascii: "&") { end += 1 }
                out += String(decoding: slice[index..<end], as: UTF8.self)
                index = end
                continue
            }
            guard let semicolon = slice[index...].firstIndex(of: UInt8(ascii: ";")) else { throw fail("unterminated entity") }
            let entity = String(decoding: slice[(index + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "lt": out += "<"
            case "gt": out += ">"
            case "amp": out += "&"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let number: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    number = UInt32(entity.dropFirst(2), radix: 16)
                } else if entity.hasPrefix("#") {
                    number = UInt32(entity.dropFirst())
                } else {
                    number = nil
                }
                guard let number, let scalar = Unicode.Scalar(number) else { throw fail("unknown entity &\(entity);") }
                out.unicodeScalars.append(scalar)
            }
            index = semicolon + 1
        }
        return out
    }
}
