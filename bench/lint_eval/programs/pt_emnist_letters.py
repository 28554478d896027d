import torch
import torch.nn as nn
import torchvision

ds = torchvision.datasets.EMNIST(root="data", split="letters", download=True,
                                 transform=torchvision.transforms.ToTensor())
dl = torch.utils.data.DataLoader(ds, batch_size=256, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 26))
opt = torch.optim.Adam(model.parameters())
loss_fn = nn.CrossEntropyLoss()
for x, y in dl:
    loss = loss_fn(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
