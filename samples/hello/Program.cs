return Fledge.Samples.Hello.HelloService.Run(args);
