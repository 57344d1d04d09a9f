' Each method is called an exact number of times, and the output is the
' same with and without the profiler.
Imports System
Imports System.Collections.Generic
Imports System.Threading.Tasks

Module Program
    ' An async method: VB$StateMachine_N_Twice, and a closure for the lambda.
    Async Function Twice(x As Integer) As Task(Of Integer)
        Await Task.Delay(1)
        Dim add As Func(Of Integer, Integer) = Function(y) y + x
        Return add(x)
    End Function

    ' An iterator: VB$StateMachine_N_Items, whose MoveNext runs once per
    ' item and once more at the end.
    Iterator Function Items() As IEnumerable(Of Integer)
        Yield 1
        Yield 2
    End Function

    Function Main(args As String()) As Integer
        Dim total = 0
        For i = 1 To 3
            total += Twice(i).Result
        Next
        For Each item In Items()
            total += item
        Next
        Dim named = New With {.Name = "vb", .Total = total}
        Console.WriteLine(named.Name & " " & named.Total)
        Return If(args.Length > 0, CInt(args(0)), 0)
    End Function
End Module
