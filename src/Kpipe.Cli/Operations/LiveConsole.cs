using System.Text;

namespace Kpipe.Cli.Operations;

/// <summary>
/// The terminal's stderr, shared by the log and the live view: the view stays at the bottom, redrawn in place
/// (ANSI: up to the view's first line, erase to the end of the screen, draw), and a log line written meanwhile
/// is printed above it, then the view is drawn again below. Installed as <see cref="Console.Error"/> before the
/// console logger starts (it takes its writer then), so log lines come through <see cref="Write(string)"/>.
/// </summary>
internal sealed class LiveConsole : TextWriter
{
    private readonly TextWriter _terminal;
    private readonly Lock _gate = new();
    private string _view = "";
    private int _drawnLines;
    private bool _midLine;

    public LiveConsole(TextWriter terminal)
    {
        _terminal = terminal;
    }

    public override Encoding Encoding => _terminal.Encoding;

    /// <summary>Replaces the view on screen.</summary>
    public void Show(string view)
    {
        lock (_gate)
        {
            _view = view;
            if (_midLine) return;
            Erase();
            Draw();
        }
    }

    public override void Write(char value) => Write(value.ToString());

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        lock (_gate)
        {
            Erase();
            _terminal.Write(value);
            _midLine = !value.EndsWith('\n');
            if (!_midLine) Draw();
            else _terminal.Flush();
        }
    }

    public override void Flush()
    {
        lock (_gate) _terminal.Flush();
    }

    private void Erase()
    {
        if (_drawnLines == 0) return;
        // CSI n F: to the start of the line n rows up; CSI J: erase from there to the end of the screen.
        _terminal.Write($"\u001b[{_drawnLines}F\u001b[J");
        _drawnLines = 0;
    }

    private void Draw()
    {
        _terminal.Write(_view);
        _drawnLines = _view.Count(c => c == '\n');
        _terminal.Flush();
    }
}
