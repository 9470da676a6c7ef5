namespace Kpipe; internal static class Placeholder {}
