using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Kpipe.Config;

/// <summary>
/// Parses a pipeline file's YAML into a node tree, turning every syntax problem into one
/// <c>file:line:col: reason</c> error. YamlDotNet 16 reports most problems as a <see cref="YamlException"/>
/// with a position, but some unclosed flow collections (<c>source: {a: b</c> followed by more keys) end in an
/// <see cref="InvalidOperationException"/> thrown from inside its scanner, with no position at all. So the
/// parser is watched: the flow collections still open when it fails say where the unclosed bracket is.
/// </summary>
internal static class YamlSyntax
{
    public static YamlStream Load(string yaml, string fileName)
    {
        var stream = new YamlStream();
        var parser = new WatchedParser(new Parser(new StringReader(yaml)));
        try
        {
            stream.Load(parser);
            return stream;
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            throw Error(fileName, e.Start, $"not valid YAML: {reason.TrimEnd('.')}{parser.UnclosedHint(e.Start)}");
        }
        catch (InvalidOperationException)
        {
            if (parser.InnermostFlow is { } open)
                throw Error(fileName, open.Start, $"not valid YAML: this '{open.Bracket}' is never closed; close it with '{Closing(open.Bracket)}' (or write the value as an indented block)");
            throw Error(fileName, parser.LastEnd, "not valid YAML after this point");
        }
    }

    private static ConfigException Error(string fileName, Mark at, string message) =>
        new([new ConfigError(fileName, (int)at.Line, (int)at.Column, message)]);

    private static char Closing(char bracket) => bracket == '[' ? ']' : '}';

    /// <summary>Passes events through, remembering the collections open and where the last event ended.</summary>
    private sealed class WatchedParser(IParser inner) : IParser
    {
        private readonly Stack<(Mark Start, char? Bracket)> _open = new();

        public ParsingEvent? Current => inner.Current;

        public Mark LastEnd { get; private set; } = Mark.Empty;

        public (Mark Start, char Bracket)? InnermostFlow =>
            _open.FirstOrDefault(c => c.Bracket != null) is { Bracket: { } b } c ? (c.Start, b) : null;

        /// <summary>" (the '[' at line 2, column 9 is not closed)" when a flow collection opened before the error is still open.</summary>
        public string UnclosedHint(Mark error) =>
            InnermostFlow is { } open && open.Start.Line < error.Line
                ? $" (the '{open.Bracket}' at line {open.Start.Line}, column {open.Start.Column} is not closed)"
                : "";

        public bool MoveNext()
        {
            var moved = inner.MoveNext();
            switch (inner.Current)
            {
                case MappingStart m:
                    _open.Push((m.Start, m.Style == MappingStyle.Flow ? '{' : null));
                    break;
                case SequenceStart s:
                    _open.Push((s.Start, s.Style == SequenceStyle.Flow ? '[' : null));
                    break;
                case MappingEnd or SequenceEnd when _open.Count > 0:
                    _open.Pop();
                    break;
            }
            if (inner.Current != null) LastEnd = inner.Current.End;
            return moved;
        }
    }
}
