using Kpipe.Cli;

return await KpipeCli.RunAsync(args, Console.Out, Console.Error);
